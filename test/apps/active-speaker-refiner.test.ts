// The active-speaker face-box refiner (apps/active-speaker/refiner): a short seeded training run
// writes the same model twice; the committed int8 model moves perturbed boxes on held-out rooms
// (rooms, people and poses never trained on) toward the true heads; and the app built with
// FACE_REFINER=true refines each confirmed track on the board exactly as the host does (its crop
// of the same frame, the same engine's outputs, the same correction).
import test from "ava";
import path from "node:path";
import { readFileSync } from "node:fs";
import { loadTarget } from "../../emulator/board.ts";
import { Machine } from "../../emulator/machine.ts";
import { buildApp } from "../../emulator/toolchain/build.ts";
import { runModel } from "../../emulator/model/runner.ts";
import { REPORT_KIND } from "../../emulator/hal-constants.ts";
import { loadReference } from "../helpers/tflite-reference.ts";
import { tempDir } from "../helpers/tools.ts";
import { MODEL_DIR, MODEL_FILE, trainRefiner } from "../../apps/active-speaker/refiner/train.ts";
import { HELD_OUT_ROOMS, renderCrops } from "../../apps/active-speaker/refiner/frames.ts";
import {
  applyCorrection,
  cropInput,
  CROP,
  type Box,
} from "../../apps/active-speaker/refiner/crop.ts";
import { scoreBoxes } from "../../apps/active-speaker/refiner/evaluate.ts";

const APP = "apps/active-speaker";
const PIX = CROP * CROP;
const W = 320,
  H = 240;
const committed = () => ({
  model: readFileSync(path.join(MODEL_DIR, MODEL_FILE)),
  json: JSON.parse(readFileSync(path.join(MODEL_DIR, "training.json"), "utf8")),
});

test("a short training run is reproducible byte for byte", async (t) => {
  const a = tempDir("tinyboard-refiner-a-"),
    b = tempDir("tinyboard-refiner-b-");
  const ra = await trainRefiner({ smoke: true, epochs: 1, outDir: a, log: () => {} });
  await trainRefiner({ smoke: true, epochs: 1, outDir: b, log: () => {} });
  t.deepEqual(readFileSync(path.join(a, MODEL_FILE)), readFileSync(path.join(b, MODEL_FILE)));
  t.is(
    readFileSync(path.join(a, "training.json"), "utf8"),
    readFileSync(path.join(b, "training.json"), "utf8"),
  );
  t.true(ra.heldOutCrops > 0);
});

test("the committed refiner moves perturbed held-out boxes toward the true heads", async (t) => {
  const { model, json } = committed();
  t.is(model.length, json.modelBytes);
  // The first 4 held-out rooms, 2 instants each, 4 perturbed boxes per face.
  const crops = renderCrops({ ...HELD_OUT_ROOMS, rooms: 4, frames: 2, perturbations: 4 });
  const ref = await loadReference(model);
  const refined = crops.boxes.map((b, k) => {
    const [c] = ref.run([crops.pixels.subarray(k * PIX, (k + 1) * PIX)]) as Int8Array[];
    const d = Array.from(c, (v) => (v - json.output.zeroPoint) * json.output.scale);
    return applyCorrection(b, d[0], d[1], d[2]);
  });
  ref.dispose();
  const before = scoreBoxes(crops.boxes, crops.truths),
    after = scoreBoxes(refined, crops.truths);
  t.log(
    `${before.boxes} boxes: centre error median ${before.medianCentreError.toFixed(3)} -> ${after.medianCentreError.toFixed(3)} half widths, within 0.25 ${before.withinTolerance.toFixed(3)} -> ${after.withinTolerance.toFixed(3)}, size error ${(before.medianSizeError * 100).toFixed(1)} -> ${(after.medianSizeError * 100).toFixed(1)} %`,
  );
  t.true(after.medianCentreError < 0.6 * before.medianCentreError);
  t.true(after.withinTolerance > 2 * before.withinTolerance);
  t.true(after.medianSizeError < 0.7 * before.medianSizeError);
});

test("FACE_REFINER=true: the board's refined box is the host's, on the same frame", async (t) => {
  const { model, json } = committed();
  const target = loadTarget("rt1170");
  const { image } = await buildApp(APP, target, { appOptions: { FACE_REFINER: true } });
  const machine = new Machine({
    target,
    image,
    sdcard: null,
    inputs: { scene: path.resolve(APP, "scenes/demo.json") },
  });
  // The first frame with confirmed tracks, and each track's (box, refined box) from that frame.
  let frame: Uint8Array | null = null;
  const pairs: { box: Box; refined: Box }[] = [];
  let done = false;
  machine.events.on("report", (kind, bytes) => {
    if (kind !== REPORT_KIND.input || done) return;
    if (bytes.length === W * H) {
      if (frame) done = true;
      else frame = bytes.slice();
    } else if (bytes.length === 24 && frame) {
      const v = new Float32Array(bytes.slice().buffer);
      pairs.push({
        box: { cx: v[0], cy: v[1], hw: v[2] },
        refined: { cx: v[3], cy: v[4], hw: v[5] },
      });
    }
  });
  const summary = await machine.run({ seconds: 1 });
  t.is(summary.fault, null);
  t.true(frame !== null && pairs.length >= 1, `${pairs.length} refined boxes`);
  // The host's crops of the same frame, through the firmware engine (runModel), for each pass.
  const passes = 2;
  let boxes = pairs.map((p) => p.box);
  for (let p = 0; p < passes; p++) {
    const inputs = boxes.map((b) => new Uint8Array(cropInput(frame!, W, H, b).buffer));
    const run = await runModel(model, inputs, target);
    boxes = boxes.map((b, i) => {
      const c = new Int8Array(
        run.inferences[i].outputs[0].buffer,
        run.inferences[i].outputs[0].byteOffset,
        3,
      );
      const d = Array.from(c, (v) => (v - json.output.zeroPoint) * json.output.scale);
      return applyCorrection(b, d[0], d[1], d[2]);
    });
  }
  pairs.forEach((p, i) => {
    t.log(
      `box ${JSON.stringify(p.box)} -> board ${JSON.stringify(p.refined)}, host ${JSON.stringify(boxes[i])}`,
    );
    // The same crop and outputs give the same box; only expf's last bit may differ (the size).
    t.true(Math.abs(p.refined.cx - boxes[i].cx) < 1e-4);
    t.true(Math.abs(p.refined.cy - boxes[i].cy) < 1e-4);
    t.true(Math.abs(p.refined.hw - boxes[i].hw) < 1e-4 * boxes[i].hw);
    // And the refinement moved the box (the regressor's output was used).
    t.true(
      Math.hypot(p.refined.cx - p.box.cx, p.refined.cy - p.box.cy) > 0.01 ||
        Math.abs(p.refined.hw - p.box.hw) > 0.01,
    );
  });
});
