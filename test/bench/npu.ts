// 14. NPU calibration: every NXP latency of the MCX N947 with its eIQ Neutron that we can
// reproduce (emulator/model/npu-published.ts), beside ours on mcxn947 with the NPU and
// CPU only. Emulated cycles, not wall time: the figures are deterministic. Run alone with
// `npx tsx test/bench/npu.ts`.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { benchModel } from "../../emulator/model/bench.ts";
import { readModel } from "../../emulator/model/tflite-model.ts";
import { PUBLISHED_NPU } from "../../emulator/model/npu-published.ts";
import { FIXTURES } from "./inference.ts";
import { ROOT, sig } from "./util.ts";

export interface NpuCalibrationRow {
  model: string;
  ours: string;
  publishedMs: number;
  oursMs: number;
  ratio: number;
  publishedCpuMs: number | null;
  oursCpuMs: number;
}

export async function benchNpu(
  log: (msg: string) => void = () => {},
): Promise<NpuCalibrationRow[]> {
  const rows: NpuCalibrationRow[] = [];
  for (const fig of PUBLISHED_NPU) {
    if (!fig.ours) continue;
    log(`npu calibration: ${fig.ours} on mcxn947`);
    const file = fig.ours.startsWith("apps/")
      ? path.join(ROOT, fig.ours)
      : path.join(FIXTURES, fig.ours);
    const bytes = new Uint8Array(readFileSync(file));
    const model = readModel(bytes, fig.ours);
    const npu = await benchModel(bytes, model, "mcxn947");
    const cpu = await benchModel(bytes, model, "mcxn947", { cpuOnly: true });
    rows.push({
      model: fig.model,
      ours: fig.ours,
      publishedMs: fig.npuMs,
      oursMs: sig(npu.latency_ms, 4),
      ratio: sig(npu.latency_ms / fig.npuMs, 3),
      publishedCpuMs: fig.cpuMs,
      oursCpuMs: sig(cpu.latency_ms, 4),
    });
  }
  return rows;
}

/** Markdown table: published, ours, ratio (target +-25 %), and the CPU-only figures. */
export function npuMarkdown(rows: NpuCalibrationRow[]): string {
  return [
    "| model (ours) | NXP, Neutron | ours, Neutron | ours / NXP | NXP, M33 only | ours, M33 only |",
    "|---|---:|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.model} (\`${path.basename(r.ours)}\`) | ${r.publishedMs} ms | ${r.oursMs} ms | ${r.ratio.toFixed(2)} | ${r.publishedCpuMs === null ? "-" : `${r.publishedCpuMs} ms`} | ${r.oursCpuMs} ms |`,
    ),
  ].join("\n");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(npuMarkdown(await benchNpu((m) => process.stderr.write(`bench: ${m}\n`))));
}
