// The writer-built architectures (test/kernels/architectures.ts: MobileNetV3-style blocks, an
// SVDF keyword model, a FOMO-style head, a self-attention block, a float layer-norm head),
// each deployed with only its last layer as output, on every board (mcxn947 with and without
// its NPU): latency, cycles, arena and peak SRAM, and their sections in docs/models.md.
// One inference each on the first input set of the layer comparison; emulated figures only.
import { writeTflite } from "../../emulator/model/tflite-writer.ts";
import { ARCHITECTURES } from "../kernels/architectures.ts";
import { inputSets } from "../helpers/layer-compare.ts";
import { emulateModel, siliconFor, type BoardRun } from "./inference.ts";
import { writeArchitecturesDoc } from "./models-doc.ts";
import type { Log } from "./section.ts";
import { grid } from "./section.ts";
import { BOARDS } from "./util.ts";

export interface ArchitectureRun {
  name: string;
  layers: number;
  macs: number;
  refused: string | null;
  runs: BoardRun[];
  npuSpeedup: number | null;
  sameOutputs: boolean;
}

export async function benchArchitectures(log: Log): Promise<ArchitectureRun[]> {
  const details = [];
  for (const arch of ARCHITECTURES) {
    log(`architectures: ${arch.id} on ${BOARDS.join(", ")} (mcxn947 with and without the NPU)`);
    const net = arch.build();
    const bytes = writeTflite(net.deployable(arch.name));
    const spec = {
      name: arch.id,
      file: "test/kernels/architectures.ts",
      input:
        "the first input set of the layer comparison (`inputSets` in test/helpers/layer-compare.ts)",
      about: `${arch.name}: ${arch.about}`,
    };
    details.push(await emulateModel(spec, bytes, inputSets(net, 1)[0]));
  }
  writeArchitecturesDoc(details, siliconFor);
  return details.map(({ result: r }) => ({
    name: r.name,
    layers: r.layers,
    macs: r.macs,
    refused: r.refused,
    runs: r.runs,
    npuSpeedup: r.npuSpeedup,
    sameOutputs: r.sameOutputs,
  }));
}

const ms = (v: number) => (v >= 10 ? v.toFixed(1) : v >= 0.1 ? v.toFixed(2) : v.toFixed(3));
const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

export function architecturesTable(models: ArchitectureRun[]): string {
  const cell = (m: ArchitectureRun, board: string, npu: boolean) => {
    const r = m.runs.find((x) => x.board === board && x.npu === npu);
    return r ? `${ms(r.latencyMs)} ms` : "-";
  };
  return [
    "writer-built architectures: emulated latency per board, arena and peak SRAM (docs/models.md)",
    grid([
      [
        "model",
        "layers",
        "MACs",
        "rt1060",
        "rt1170",
        "mcxn947 CPU",
        "mcxn947 +NPU",
        "arena",
        "peak SRAM",
      ],
      ...models.map((m) =>
        m.refused
          ? [m.name, "-", "-", "refused", "", "", "", "", ""]
          : [
              m.name,
              String(m.layers),
              String(m.macs),
              cell(m, "rt1060", false),
              cell(m, "rt1170", false),
              cell(m, "mcxn947", false),
              cell(m, "mcxn947", true),
              kb(m.runs[0].arenaBytes),
              kb(Math.max(...m.runs.map((r) => r.sramPeakBytes))),
            ],
      ),
    ]),
    ...models.filter((m) => m.refused).map((m) => `   ${m.name}: refused: ${m.refused}`),
    ...models
      .filter((m) => !m.refused && !m.sameOutputs)
      .map((m) => `   ${m.name}: outputs DIFFER between boards`),
  ].join("\n");
}
