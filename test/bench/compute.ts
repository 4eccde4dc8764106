// 2. A compute-heavy firmware (test/bench-apps/compute: int8 matmul, Q15 FIR, CRC32) on each
// board: emulated time and busy cycles of the whole workload, wall time, real-time factor, and
// the matmul phase's MACs per emulated cycle (the firmware times its phases with clock.cycles()).
import { runOnce, median, type Built } from "./util.ts";

export const COMPUTE_APP = "test/bench-apps/compute";

/** What the compute firmware prints. */
export interface ComputeOutput {
  checksum: string;
  matmul: { macs: number; cycles: number };
  fir: { macs: number; cycles: number };
  crc32: { bytes: number; cycles: number };
}

export function parseComputeOutput(text: string): ComputeOutput {
  const grab = (re: RegExp): RegExpMatchArray => {
    const m = text.match(re);
    if (!m) throw new Error(`compute firmware output lacks ${re}:\n${text}`);
    return m;
  };
  const mm = grab(/^matmul macs=(\d+) cycles=(\d+)$/m);
  const fir = grab(/^fir macs=(\d+) cycles=(\d+)$/m);
  const crc = grab(/^crc32 bytes=(\d+) cycles=(\d+)$/m);
  return {
    checksum: grab(/^checksum (0x[0-9a-f]{8})$/m)[1],
    matmul: { macs: Number(mm[1]), cycles: Number(mm[2]) },
    fir: { macs: Number(fir[1]), cycles: Number(fir[2]) },
    crc32: { bytes: Number(crc[1]), cycles: Number(crc[2]) },
  };
}

export interface ComputeResult {
  board: string;
  emulatedSeconds: number;
  busyCycles: number;
  /** Median over the measured runs. */
  wallSeconds: number;
  realTimeFactor: number;
  matmul: { macs: number; cycles: number; macsPerCycle: number };
  fir: { macs: number; cycles: number; macsPerCycle: number };
  crc32: { bytes: number; cycles: number; cyclesPerByte: number };
  checksum: string;
  runs: number;
}

/** Longest the workload may take in virtual time: it must return well before. */
const LIMIT_SECONDS = 3600;

export async function benchCompute(b: Built, o: { runs: number }): Promise<ComputeResult> {
  const board = b.target.board.id;
  await runOnce(b, LIMIT_SECONDS); // warm-up
  const runs = [];
  for (let i = 0; i < o.runs; i++) {
    const r = await runOnce(b, LIMIT_SECONDS);
    if (r.summary.reason !== "returned")
      throw new Error(`compute on ${board} did not return from main (${r.summary.reason})`);
    runs.push(r);
  }
  const s = runs[0].summary;
  const out = parseComputeOutput(runs[0].console);
  for (const r of runs) {
    if (r.summary.busyCycles !== s.busyCycles)
      throw new Error(
        `compute on ${board}: busy cycles differ between runs (${r.summary.busyCycles} vs ${s.busyCycles})`,
      );
  }
  const wall = median(runs.map((r) => r.summary.wallSeconds));
  return {
    board,
    emulatedSeconds: s.emulatedSeconds,
    busyCycles: s.busyCycles,
    wallSeconds: wall,
    realTimeFactor: s.emulatedSeconds / wall,
    matmul: { ...out.matmul, macsPerCycle: out.matmul.macs / out.matmul.cycles },
    fir: { ...out.fir, macsPerCycle: out.fir.macs / out.fir.cycles },
    crc32: { ...out.crc32, cyclesPerByte: out.crc32.cycles / out.crc32.bytes },
    checksum: out.checksum,
    runs: o.runs,
  };
}
