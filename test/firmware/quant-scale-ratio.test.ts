// The engine's prepare finds each channel's multiplier from the three f32 scales in integers
// (firmware/tflite/quant.ts quantizeScaleRatios) instead of dividing doubles: it must give
// TFLite's QuantizeMultiplier(in * filter / out in double) exactly. Checked in the firmware
// for every channel of every weighted layer of every fixture model, on random scales and on
// random layers (one input and output scale, many filter scales: the reciprocal reused).
import test from "ava";
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { loadTarget } from "../../emulator/board.ts";
import { buildApp } from "../../emulator/toolchain/build.ts";
import { withPartitions } from "../../emulator/model/runner.ts";
import { Machine } from "../../emulator/machine.ts";
import { PROJECT_ROOT } from "../../emulator/paths.ts";
import { readModel } from "../../emulator/model/tflite-model.ts";

const FIXTURES = path.resolve("../shared/fixtures");
const PROBE = path.join(PROJECT_ROOT, "test", "fixtures", "quant-probe");
const WEIGHTED = new Set(["CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "TRANSPOSE_CONV"]);

function tfliteFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) return tfliteFiles(p);
    return f.endsWith(".tflite") ? [p] : [];
  });
}

/** (input, filter, output) scale triples of every channel of every int8 weighted layer. */
function fixtureTriples(): { triples: number[][]; models: number } {
  const triples: number[][] = [];
  let models = 0;
  for (const file of tfliteFiles(FIXTURES)) {
    const m = readModel(new Uint8Array(readFileSync(file)), path.basename(file));
    let used = false;
    for (const op of m.operators) {
      if (!WEIGHTED.has(op.opName)) continue;
      const [inT, wT] = [m.tensors[op.inputs[0]], m.tensors[op.inputs[1]]];
      const outT = m.tensors[op.outputs[0]];
      const [i, w, o] = [inT, wT, outT].map((t) => t?.quantization?.scale ?? []);
      if (i.length === 0 || w.length === 0 || o.length === 0) continue;
      for (const s of w) triples.push([i[0], s, o[0]]);
      used = true;
    }
    if (used) models++;
  }
  return { triples, models };
}

/** Random positive scales over the range converters write, seeded (xorshift32). */
function randomTriples(n: number, seed = 0x9e3779b9): number[][] {
  let x = seed;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  const scale = () => Math.fround((0.5 + next()) * 2 ** Math.floor(-30 + 34 * next()));
  return Array.from({ length: n }, () => [scale(), scale(), scale()]);
}

/** Layers of random scales: one input and output scale, `channels` filter scales each (the
 *  integer path keeps a reciprocal per (input, output) pair, reused across a layer). */
function randomLayers(layers: number, channels: number): number[][] {
  const layer = randomTriples(layers, 0x2545f491);
  const filters = randomTriples(layers * channels, 0x6c078965);
  return filters.map(([, f], k) => {
    const [a, , c] = layer[Math.floor(k / channels)];
    return [a, f, c];
  });
}

/** Scale triples that need quantizeScaleRatios' check at 0111…10 (without it the integer path
 *  gives the multiplier one lower than TFLite's). */
const HALF_LESS_ONE = [
  [0.006160038057714701, 0.015624992549419403, 0.10290948301553726],
  [0.006284630391746759, 0.015624950639903545, 0.11029414087533951],
  [0.00596096646040678, 0.01562498789280653, 0.09968354552984238],
];

async function probe(triples: number[][]): Promise<Int32Array> {
  const target = loadTarget("rt1060");
  const scales = new Float32Array(triples.flat());
  const { image } = await buildApp(PROBE, target, { flashWindow: 1 << 20 });
  const img = withPartitions(image, [{ name: "scales", data: new Uint8Array(scales.buffer) }]);
  const machine = new Machine({ target, image: img, sdcard: null });
  let out = new Int32Array(0);
  machine.events.on("report", (kind, bytes) => {
    if (kind === 1) out = new Int32Array(new Uint8Array(bytes).buffer);
  });
  const summary = await machine.run({ seconds: 3600 });
  if (summary.exitCode !== 0) throw new Error(`quant probe stopped: ${summary.reason}`);
  return out;
}

test("the integer multiplier equals the double path on every fixture channel and random scales", async (t) => {
  const { triples: fixtures, models } = fixtureTriples();
  t.true(models >= 6, `fixture models with int8 weighted layers: ${models}`);
  // Edge cases: equal scales (real 1 exactly), a ratio rounding up to 2^31, tiny and huge ratios
  // (flushed to zero, clamped), and the double path's inputs (zero, subnormal).
  const edges = [
    [1, 1, 1],
    [0.5, 1, 0.25],
    [Math.fround(1 - 2 ** -24), 1, 1],
    [2 ** -60, 2 ** -60, 1],
    [2 ** 40, 2 ** 40, 1],
    [0, 0.5, 0.25],
    [2 ** -140, 0.5, 0.25],
    // The integer estimate one below the exact quotient, whose bits under the multiplier read
    // 0111…1 with the double rounding up to the tie: the estimate reads 0111…10 and must take the
    // multiply-back (found by a search over scales built for it: 1 in ~2^22 channels).
    ...HALF_LESS_ONE,
    // Estimates whose bits under the multiplier read 1111…1 (round up, as the exact quotient).
    [0.006941166706383228, 0.008260945789515972, 0.08719829469919205],
    [0.006941166706383228, 0.008949791081249714, 0.08719829469919205],
  ].map((s) => s.map(Math.fround));
  const triples = [...fixtures, ...edges, ...randomTriples(20000), ...randomLayers(500, 40)];
  const out = await probe(triples);
  t.is(out.length, triples.length * 4);
  let bad = 0;
  for (let k = 0; k < triples.length; k++) {
    const [m, s, mi, si] = out.subarray(k * 4, k * 4 + 4);
    if (m !== mi || s !== si) {
      if (bad++ < 5) t.log(`scales ${triples[k].join(", ")}: double ${m}, ${s}; integer ${mi}, ${si}`);
    }
  }
  t.log(`${fixtures.length} channels of ${models} fixture models, ${triples.length} triples in all`);
  t.is(bad, 0);
});
