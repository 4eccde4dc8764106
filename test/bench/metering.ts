// 3. Metering overhead: wall time of the compute firmware built metered vs unmetered on the
// same board, median of several alternating runs after a warm-up of each. Both builds must
// print the same checksum (a correctness check, so it is asserted; the timings are not).
// The process's CPU time per run is recorded too: on a host loaded by other work, wall time
// also counts the time other processes held the cores, CPU time much less so.
import { runOnce, median, type Built } from "./util.ts";
import { parseComputeOutput } from "./compute.ts";

export interface MeteringResult {
  board: string;
  runs: number;
  meteredWallSeconds: number;
  unmeteredWallSeconds: number;
  /** median(metered) / median(unmetered). */
  ratio: number;
  /** min(metered) / min(unmetered): the least noisy estimate on a busy host. */
  minRatio: number;
  /** min / min of the process CPU time per run (user + system). */
  cpuRatio: number;
  checksum: string;
  /** Wall times of every measured run, in run order. */
  samples: { metered: number[]; unmetered: number[] };
  /** CPU seconds of every measured run, in run order. */
  cpuSamples: { metered: number[]; unmetered: number[] };
}

const LIMIT_SECONDS = 3600;

export async function benchMetering(
  metered: Built,
  unmetered: Built,
  o: { runs: number },
): Promise<MeteringResult> {
  const board = metered.target.board.id;
  const m0 = await runOnce(metered, LIMIT_SECONDS); // warm-ups
  const u0 = await runOnce(unmetered, LIMIT_SECONDS);
  const checksum = parseComputeOutput(m0.console).checksum;
  const other = parseComputeOutput(u0.console).checksum;
  if (other !== checksum)
    throw new Error(`metered and unmetered builds disagree: checksum ${checksum} vs ${other}`);
  if (u0.summary.busyCycles >= m0.summary.busyCycles)
    throw new Error("the unmetered build counted cycles: it is not unmetered");

  const samples = { metered: [] as number[], unmetered: [] as number[] };
  const cpuSamples = { metered: [] as number[], unmetered: [] as number[] };
  // Alternate the two so that a burst of load on the host hits both alike.
  for (let i = 0; i < o.runs; i++) {
    for (const [b, list, cpuList] of [
      [metered, samples.metered, cpuSamples.metered],
      [unmetered, samples.unmetered, cpuSamples.unmetered],
    ] as const) {
      const cpu0 = process.cpuUsage();
      const r = await runOnce(b, LIMIT_SECONDS);
      const cpu = process.cpuUsage(cpu0);
      cpuList.push((cpu.user + cpu.system) / 1e6);
      if (r.summary.reason !== "returned")
        throw new Error(
          `compute (${b === metered ? "metered" : "unmetered"}) did not return from main`,
        );
      const sum = parseComputeOutput(r.console).checksum;
      if (sum !== checksum) throw new Error(`checksum changed between runs: ${sum} vs ${checksum}`);
      list.push(r.summary.wallSeconds);
    }
  }
  const m = median(samples.metered);
  const u = median(samples.unmetered);
  return {
    board,
    runs: o.runs,
    meteredWallSeconds: m,
    unmeteredWallSeconds: u,
    ratio: m / u,
    minRatio: Math.min(...samples.metered) / Math.min(...samples.unmetered),
    cpuRatio: Math.min(...cpuSamples.metered) / Math.min(...cpuSamples.unmetered),
    checksum,
    samples,
    cpuSamples,
  };
}
