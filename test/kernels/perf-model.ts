// Measures int8 inference speed of a fixture model: MACs/cycle per layer type and overall on
// each board, and host wall time per inference. Usage: npx tsx test/kernels/perf-model.ts MODEL [boards] [--layers]
import { readFileSync } from "node:fs";
import { runModelSets } from "../helpers/engine.ts";
import { describeLayers } from "../../emulator/model/layers.ts";
import { readModel } from "../../emulator/model/tflite-model.ts";

const file = process.argv[2];
const boards = (
  process.argv[3] && !process.argv[3].startsWith("--") ? process.argv[3] : "rt1060,rt1170,mcxn947"
).split(",");
const perLayer = process.argv.includes("--layers");
const model = new Uint8Array(readFileSync(file));
const info = readModel(model);
const { layers, totalMacs } = describeLayers(info);
const bytes = info.tensors[info.inputs[0]].byteSize;
let seed = 12345;
const input = new Uint8Array(bytes).map(() => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed >>> 24;
});
for (const board of boards) {
  const one = await runModelSets(model, [input], board);
  const inf = one.inferences[0];
  const byOp: Record<string, [number, number]> = {};
  for (const l of inf.layers) {
    const op = layers[l.index].op + (l.unit === "npu" ? "@npu" : "");
    const e = byOp[op] ?? [0, 0];
    e[0] += layers[l.index].macs;
    e[1] += l.cycles;
    byOp[op] = e;
    if (perLayer && layers[l.index].macs > 0)
      console.log(
        `  ${l.index} ${op} ${JSON.stringify(layers[l.index].inputShapes[0])}->${JSON.stringify(layers[l.index].outputShapes[0])} macs ${layers[l.index].macs} cyc ${Math.round(l.cycles)} ${(layers[l.index].macs / l.cycles).toFixed(3)}`,
      );
  }
  console.log(
    board,
    "cycles",
    Math.round(inf.cycles),
    "MAC/cyc",
    (totalMacs / inf.cycles).toFixed(3),
  );
  console.log(
    "  ",
    Object.entries(byOp)
      .filter(([, [m]]) => m > 0)
      .map(
        ([k, [m, c]]) =>
          `${k}: ${(m / c).toFixed(3)} MAC/c ${((c / inf.cycles) * 100).toFixed(0)}%`,
      )
      .join("; "),
  );
}
if (process.argv.includes("--wall")) {
  // Host wall per inference on rt1060: median over rounds of (base+extra sets) - (base sets), after warm-up.
  const sets = (k: number) => new Array<Uint8Array>(k).fill(input);
  for (let i = 0; i < 2; i++) await runModelSets(model, sets(21), "rt1060");
  const xs: number[] = [];
  for (let k = 0; k < 5; k++) {
    const few = await runModelSets(model, sets(5), "rt1060");
    const many = await runModelSets(model, sets(105), "rt1060");
    xs.push(((many.summary.wallSeconds - few.summary.wallSeconds) / 100) * 1e3);
  }
  xs.sort((a, b) => a - b);
  console.log(
    "host wall ms/inference (rt1060, median of 5):",
    xs[2].toFixed(2),
    "samples",
    xs.map((x) => x.toFixed(2)).join(" "),
  );
}
