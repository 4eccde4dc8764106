// Runs a .tflite model through the kernel-probe firmware (test/fixtures/kernel-probe): the
// interpreter's steps with the convolution kernels wired in directly, so they can be tested
// whatever the engine's registry holds. Mirrors emulator/model/runner.ts.
import path from "node:path";
import { loadTarget } from "../../emulator/board.ts";
import { buildApp } from "../../emulator/toolchain/build.ts";
import { withPartitions } from "../../emulator/model/runner.ts";
import type { Image } from "../../emulator/toolchain/image.ts";
import { Machine } from "../../emulator/machine.ts";
import { PROJECT_ROOT } from "../../emulator/paths.ts";

export const PROBE_APP = path.join(PROJECT_ROOT, "test", "fixtures", "kernel-probe");
const OP_NAMES: Record<number, string> = {
  0: "ADD",
  1: "AVERAGE_POOL_2D",
  3: "CONV_2D",
  4: "DEPTHWISE_CONV_2D",
  9: "FULLY_CONNECTED",
  17: "MAX_POOL_2D",
  22: "RESHAPE",
  25: "SOFTMAX",
};

export interface ProbeRun {
  outputs: Uint8Array[][];
  layers: { index: number; op: string; cycles: number }[][];
  cycles: number[];
  console: string;
  wallSeconds: number;
}

const images = new Map<string, Promise<Image>>();

function image(board: string, window: number): Promise<Image> {
  const key = `${board}-${window}`;
  if (!images.has(key))
    images.set(
      key,
      buildApp(PROBE_APP, loadTarget(board), { flashWindow: window }).then((r) => r.image),
    );
  return images.get(key)!;
}

/** One inference per input set (each set: every input tensor's raw bytes, in order). */
export async function runProbe(
  model: Uint8Array,
  sets: Uint8Array[],
  board = "rt1060",
): Promise<ProbeRun> {
  const input = Buffer.concat(sets.map((s) => Buffer.from(s.buffer, s.byteOffset, s.byteLength)));
  let window = 1 << 20;
  while (model.length + input.length + 8192 > window) window *= 4;
  const target = loadTarget(board);
  const img = withPartitions(await image(board, window), [
    { name: "model", data: model },
    { name: "input", data: new Uint8Array(input) },
  ]);
  const machine = new Machine({ target, image: img, sdcard: null });
  let text = "";
  const outs: Uint8Array[] = [];
  const spans: { index: number; op: number; start: number; end: number }[] = [];
  const open = new Map<number, { index: number; op: number; start: number; end: number }>();
  machine.events.on("console", (t) => {
    text += t;
  });
  machine.events.on("report", (kind, bytes) => {
    if (kind === 1) outs.push(new Uint8Array(bytes));
  });
  machine.events.on("layerBegin", (index, op, cycles) => {
    open.set(index, { index, op, start: cycles, end: cycles });
  });
  machine.events.on("layerEnd", (index, cycles) => {
    const s = open.get(index);
    if (s) {
      s.end = cycles;
      spans.push(s);
      open.delete(index);
    }
  });
  const summary = await machine.run({ seconds: 3600 });
  if (summary.fault)
    throw new Error(`probe fault: ${summary.fault.kind}: ${summary.fault.message}`);
  if (summary.exitCode !== 0) throw new Error(`probe: ${text.trim()}`);
  const n = sets.length;
  const perOut = outs.length / n,
    perLayers = spans.length / n;
  const run: ProbeRun = {
    outputs: [],
    layers: [],
    cycles: [],
    console: text,
    wallSeconds: summary.wallSeconds,
  };
  for (let s = 0; s < n; s++) {
    const mine = spans.slice(s * perLayers, (s + 1) * perLayers);
    run.outputs.push(outs.slice(s * perOut, (s + 1) * perOut));
    run.layers.push(
      mine.map((l) => ({
        index: l.index,
        op: OP_NAMES[l.op] ?? String(l.op),
        cycles: l.end - l.start,
      })),
    );
    run.cycles.push(
      mine.length ? Math.max(...mine.map((l) => l.end)) - Math.min(...mine.map((l) => l.start)) : 0,
    );
  }
  return run;
}
