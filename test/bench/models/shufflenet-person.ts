// A ShuffleNetV2-style person detector at 192x320, int8, the shape of NXP's eIQ person
// detector (docs/references.md: ShuffleNetV2 192x320, 58.42 M MACs, 241 KB model,
// 645,120 B activation buffer), for the memory-hierarchy validation (test/bench/memory-hierarchy.ts).
// ShuffleNetV2 0.5x (Ma et al. 2018, Table 5: stem 24, stages 48/96/192 with 4/8/4 units),
// channel split as SPLIT, channel shuffle as RESHAPE/TRANSPOSE/RESHAPE, concatenation, and a
// small SSD-style head (boxes and person scores from each stage's output). Seeded weights:
// the same bytes on every run; nothing was trained, so its outputs mean nothing; only its
// shapes (MACs, tensor sizes, weight bytes) matter here.
// Regenerate: `npx tsx test/bench/models/shufflenet-person.ts` (writes the .tflite beside this file;
// the same bytes every time, test/memory-hierarchy/shufflenet-ratio.test.ts checks).
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeTflite, type WriterModel } from "../../../emulator/model/tflite-writer.ts";
import { q } from "../../helpers/op-compare.ts";
import { Net } from "../../helpers/writer-net.ts";

export const SHUFFLENET_PERSON_FILE = "test/bench/models/shufflenet_v2_person_192x320_int8.tflite";
export const SHUFFLENET_PERSON_INPUT = [1, 192, 320, 3];

/** One activation quantisation for every tensor, so SPLIT/CONCAT/TRANSPOSE never requantise. */
const act = () => q(0.04, -128);
const shapeOf = (n: Net, t: number) => n.model.tensors[t].shape;
const scaleOf = (n: Net, t: number) => n.model.tensors[t].quant!.scale[0];

function conv(n: Net, x: number, outC: number, k: number, stride: number, relu = true): number {
  const [, h, w, inC] = shapeOf(n, x);
  const weights = n.scaledWeights([outC, k, k, inC], 0, k * k * inC, 1.5);
  return n.op(
    "CONV_2D",
    [x, weights.tensor, n.bias(scaleOf(n, x), weights.scales)],
    "int8",
    [1, Math.ceil(h / stride), Math.ceil(w / stride), outC],
    act(),
    {
      padding: "SAME",
      stride_w: stride,
      stride_h: stride,
      fused_activation_function: relu ? "RELU" : "NONE",
    },
  );
}

function depthwise(n: Net, x: number, stride: number): number {
  const [, h, w, c] = shapeOf(n, x);
  const weights = n.scaledWeights([1, 3, 3, c], 3, 9, 1.5);
  return n.op(
    "DEPTHWISE_CONV_2D",
    [x, weights.tensor, n.bias(scaleOf(n, x), weights.scales)],
    "int8",
    [1, Math.ceil(h / stride), Math.ceil(w / stride), c],
    act(),
    { padding: "SAME", stride_w: stride, stride_h: stride, depth_multiplier: 1 },
  );
}

const reshape = (n: Net, x: number, shape: number[]) =>
  n.op("RESHAPE", [x, n.constant("int32", [shape.length], shape)], "int8", shape, act(), {
    new_shape: shape,
  });

/** Channel shuffle with two groups: [HW, 2, C/2] -> [HW, C/2, 2], as the converters emit it. */
function shuffle(n: Net, x: number): number {
  const [, h, w, c] = shapeOf(n, x);
  const grouped = reshape(n, x, [1, h * w, 2, c / 2]);
  const perm = n.constant("int32", [4], [0, 1, 3, 2]);
  const swapped = n.op("TRANSPOSE", [grouped, perm], "int8", [1, h * w, c / 2, 2], act());
  return reshape(n, swapped, [1, h, w, c]);
}

const concat = (n: Net, a: number, b: number) => {
  const [, h, w, c] = shapeOf(n, a);
  return n.op("CONCATENATION", [a, b], "int8", [1, h, w, c + shapeOf(n, b)[3]], act(), {
    axis: 3,
  });
};

/** Stride-2 unit: both branches downsample, channels double. */
function downUnit(n: Net, x: number, outC: number): number {
  const half = outC / 2;
  const left = conv(n, depthwise(n, x, 2), half, 1, 1);
  const right = conv(n, depthwise(n, conv(n, x, half, 1, 1), 2), half, 1, 1);
  return shuffle(n, concat(n, left, right));
}

/** Stride-1 unit: split the channels, transform one half, concatenate, shuffle. */
function basicUnit(n: Net, x: number): number {
  const [, h, w, c] = shapeOf(n, x);
  const axis = n.constant("int32", [], [3]);
  const halves = [0, 1].map(
    (i) =>
      n.model.tensors.push({
        name: `split${n.model.ops.length}_${i}`,
        type: "int8",
        shape: [1, h, w, c / 2],
        quant: act(),
      }) - 1,
  );
  n.model.ops.push({ op: "SPLIT", inputs: [axis, x], outputs: halves, options: { num_splits: 2 } });
  const right = conv(n, depthwise(n, conv(n, halves[1], c / 2, 1, 1), 1), c / 2, 1, 1);
  return shuffle(n, concat(n, halves[0], right));
}

function stage(n: Net, x: number, outC: number, units: number): number {
  let y = downUnit(n, x, outC);
  for (let i = 1; i < units; i++) y = basicUnit(n, y);
  return y;
}

/** Per-cell predictions flattened to [1, cells * anchors, k]. */
function predict(n: Net, x: number, anchors: number, k: number): number {
  const y = conv(n, x, anchors * k, 3, 1, false);
  const [, h, w] = shapeOf(n, y);
  return reshape(n, y, [1, h * w * anchors, k]);
}

/** SSD head on a feature map: a 1x1 widening, then 3x3 box (4) and score (1) predictors. */
function head(n: Net, x: number, width: number, anchors: number) {
  const features = conv(n, x, width, 1, 1);
  return { boxes: predict(n, features, anchors, 4), scores: predict(n, features, anchors, 1) };
}

export function shuffleNetPerson(): WriterModel {
  const n = new Net();
  const image = n.input("int8", SHUFFLENET_PERSON_INPUT, q(1 / 128, 0));
  const stem = conv(n, image, 24, 3, 2);
  const pooled = n.op("MAX_POOL_2D", [stem], "int8", [1, 48, 80, 24], act(), {
    padding: "SAME",
    stride_w: 2,
    stride_h: 2,
    filter_width: 3,
    filter_height: 3,
  });
  const c2 = stage(n, pooled, 48, 4);
  const c3 = stage(n, c2, 96, 8);
  const c4 = stage(n, c3, 192, 4);
  // Three scales (strides 8, 16, 32), as SSD-style detectors look for people of every size.
  const heads = [head(n, c2, 64, 3), head(n, c3, 128, 3), head(n, c4, 192, 3)];
  const anchors = heads.reduce((s, h) => s + shapeOf(n, h.boxes)[1], 0);
  const boxes = n.op(
    "CONCATENATION",
    heads.map((h) => h.boxes),
    "int8",
    [1, anchors, 4],
    act(),
    {
      axis: 1,
    },
  );
  const scores = n.op(
    "CONCATENATION",
    heads.map((h) => h.scores),
    "int8",
    [1, anchors, 1],
    act(),
    { axis: 1 },
  );
  return {
    ...n.model,
    outputs: [boxes, scores],
    description: "ShuffleNetV2-0.5x SSD-style person detector shape, 192x320, seeded weights",
  };
}

/** Multiply-accumulates of the model's convolutions (what NXP's 58.42 M counts). */
export function macs(model: WriterModel): number {
  let total = 0;
  for (const op of model.ops) {
    if (op.op !== "CONV_2D" && op.op !== "DEPTHWISE_CONV_2D") continue;
    const out = model.tensors[op.outputs[0]].shape;
    const filter = model.tensors[op.inputs[1]].shape;
    const perOutput =
      op.op === "CONV_2D" ? filter[1] * filter[2] * filter[3] : filter[1] * filter[2];
    total += out[0] * out[1] * out[2] * out[3] * perOutput;
  }
  return total;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const model = shuffleNetPerson();
  const bytes = writeTflite(model);
  const weights = model.tensors.reduce((s, t) => s + (t.data?.length ?? 0), 0);
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
  writeFileSync(path.join(root, SHUFFLENET_PERSON_FILE), bytes);
  console.log(
    `${SHUFFLENET_PERSON_FILE}: ${model.ops.length} ops, ${(macs(model) / 1e6).toFixed(2)} M MACs, ` +
      `${weights} B of constants, ${bytes.length} B file`,
  );
}
