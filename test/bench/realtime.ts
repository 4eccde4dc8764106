// 1. Real-time factor of apps/sensor-logger: emulated seconds per wall second on each board,
// with a fresh blank FAT32 card per run, plus its CPU load (busy / total cycles).
import path from "node:path";
import { ensureCard } from "../../emulator/state.ts";
import { runOnce, median, type Built } from "./util.ts";

export interface RealtimeResult {
  board: string;
  emulatedSeconds: number;
  /** Median over the measured runs. */
  wallSeconds: number;
  realTimeFactor: number;
  busyCycles: number;
  cpuLoad: number;
  runs: number;
}

export async function benchRealtime(
  b: Built,
  o: { seconds: number; runs: number; cardDir: string },
): Promise<RealtimeResult> {
  const board = b.target.board.id;
  let n = 0;
  const fresh = (): string => {
    const card = path.join(o.cardDir, `sensor-logger-${board}-${n++}.img`);
    ensureCard(card);
    return card;
  };
  await runOnce(b, o.seconds, { sdcard: fresh() }); // warm-up: engine tier-up, file system caches
  const runs = [];
  for (let i = 0; i < o.runs; i++) {
    const { summary: s } = await runOnce(b, o.seconds, { sdcard: fresh() });
    if (s.reason !== "time-limit")
      throw new Error(`sensor-logger on ${board} stopped early (${s.reason})`);
    runs.push(s);
  }
  // Virtual time is deterministic: every run covers the same cycles; only wall time varies.
  const s = runs[0];
  const wall = median(runs.map((r) => r.wallSeconds));
  return {
    board,
    emulatedSeconds: s.emulatedSeconds,
    wallSeconds: wall,
    realTimeFactor: s.emulatedSeconds / wall,
    busyCycles: s.busyCycles,
    cpuLoad: s.cpuLoad,
    runs: o.runs,
  };
}
