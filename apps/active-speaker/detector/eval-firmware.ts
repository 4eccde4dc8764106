// The committed face detector on the held-out frames through the firmware's int8 engine
// (firmware/runner, the engine the app links; the MCX N947's NPU where it has one) on every
// board: precision and recall of face centres decoded as the app decodes them, the outputs
// against TFLite's runtime on the same int8 inputs, and the cycles of one inference.
//
//   npm run eval:face-detector [-- --every 4] [--board rt1170]
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseScriptArgs } from "../../../emulator/cli/script-args.ts";
import { loadTarget } from "../../../emulator/board.ts";
import { runModel } from "../../../emulator/model/runner.ts";
import { loadReference } from "../../../test/helpers/tflite-reference.ts";
import { decode, match, type Matching } from "./decode.ts";
import { HELD_OUT_FRAMES, IN_H, IN_W, renderFrames, type Frames } from "./frames.ts";
import { CROP_TOLERANCE, FOUND_RADIUS, MODEL_DIR, MODEL_FILE } from "./train.ts";

const PIX = IN_W * IN_H;

export interface DetectorEval {
  board: string;
  npu: boolean;
  frames: number;
  /** Centre within the crop tolerance (CROP_TOLERANCE half widths). */
  precision: number;
  recall: number;
  /** Centre within one half width: the face is found (inside the head). */
  foundPrecision: number;
  foundRecall: number;
  /** Output bytes equal to TFLite's runtime's, and within one int8 step. */
  identical: number;
  withinOne: number;
  outputs: number;
  cyclesPerInference: number;
  msPerInference: number;
}

export function inputsOf(frames: Frames): Int8Array[] {
  return Array.from({ length: frames.count }, (_, k) =>
    Int8Array.from(frames.pixels.subarray(k * PIX, (k + 1) * PIX), (p) => p - 128),
  );
}

type Quant = { scale: number; zeroPoint: number };

/** `quant`: the output quantisation training.json records ({ obj, box }). */
export async function evalDetector(
  model: Uint8Array,
  quant: { obj: Quant; box: Quant },
  frames: Frames,
  board: string,
  cpuOnly = false,
): Promise<DetectorEval> {
  const json = quant;
  const target = loadTarget(board);
  const inputs = inputsOf(frames);
  const run = await runModel(
    model,
    inputs.map((x) => new Uint8Array(x.buffer)),
    target,
    { cpuOnly },
  );
  const ref = await loadReference(model);
  const m: Matching = { truths: 0, detections: 0, hits: 0, errors: [], sizeErrors: [] };
  const found1: Matching = { truths: 0, detections: 0, hits: 0, errors: [], sizeErrors: [] };
  let identical = 0,
    withinOne = 0,
    outputs = 0,
    cycles = 0;
  run.inferences.forEach((inf, k) => {
    const [obj, box] = inf.outputs.map((o) => new Int8Array(o.buffer, o.byteOffset, o.length));
    const want = ref.run([inputs[k]]) as Int8Array[];
    [obj, box].forEach((got, i) =>
      got.forEach((v, j) => {
        outputs++;
        if (v === want[i][j]) identical++;
        if (Math.abs(v - want[i][j]) <= 1) withinOne++;
      }),
    );
    const found = decode(
      Float32Array.from(obj, (v) => (v - json.obj.zeroPoint) * json.obj.scale),
      Float32Array.from(box, (v) => (v - json.box.zeroPoint) * json.box.scale),
    );
    match(found, frames.faces[k], CROP_TOLERANCE, m);
    match(found, frames.faces[k], FOUND_RADIUS, found1);
    cycles += inf.cycles;
  });
  ref.dispose();
  const perInference = cycles / run.inferences.length;
  return {
    board,
    npu: !cpuOnly && run.inferences[0].layers.some((l) => l.unit === "npu"),
    frames: frames.count,
    precision: m.detections ? m.hits / m.detections : 0,
    recall: m.truths ? m.hits / m.truths : 0,
    foundPrecision: found1.detections ? found1.hits / found1.detections : 0,
    foundRecall: found1.truths ? found1.hits / found1.truths : 0,
    identical,
    withinOne,
    outputs,
    cyclesPerInference: perInference,
    msPerInference: (perInference / target.core.clockHz) * 1000,
  };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const { values } = parseScriptArgs("eval:face-detector", {
    options: { every: { type: "string", default: "1" }, board: { type: "string" } },
  });
  const every = Number(values.every);
  const held = renderFrames(HELD_OUT_FRAMES);
  const keep = Array.from({ length: held.count }, (_, k) => k).filter((k) => k % every === 0);
  const subset: Frames = {
    count: keep.length,
    pixels: new Float32Array(keep.length * PIX),
    faces: keep.map((k) => held.faces[k]),
  };
  keep.forEach((k, i) => subset.pixels.set(held.pixels.subarray(k * PIX, (k + 1) * PIX), i * PIX));
  const model = readFileSync(path.join(MODEL_DIR, MODEL_FILE));
  const quant = JSON.parse(readFileSync(path.join(MODEL_DIR, "training.json"), "utf8"));
  const boards = values.board ? [values.board] : ["rt1060", "rt1170", "mcxn947"];
  const runs: [string, boolean][] = boards.flatMap((b): [string, boolean][] =>
    b === "mcxn947"
      ? [
          [b, false],
          [b, true],
        ]
      : [[b, false]],
  );
  for (const [board, cpuOnly] of runs) {
    const e = await evalDetector(model, quant, subset, board, cpuOnly);
    console.log(
      `${board}${e.npu ? " (NPU)" : cpuOnly ? " (CPU only)" : ""}: ${e.frames} held-out frames, precision ${e.precision.toFixed(3)} recall ${e.recall.toFixed(3)} (centre within ${CROP_TOLERANCE} half widths; within one: ${e.foundPrecision.toFixed(3)} / ${e.foundRecall.toFixed(3)}); outputs vs TFLite runtime ${e.identical}/${e.outputs} identical, ${e.withinOne} within one step; ${Math.round(e.cyclesPerInference)} cycles = ${e.msPerInference.toFixed(3)} ms per frame`,
    );
  }
}
