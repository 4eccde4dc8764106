// An int8 keyword model in the shape of TFLM's SVDF keyword models: each invocation takes
// one frame of 40 filterbank features, two SVDF layers keep the last frames in their
// (variable) activation state, two FULLY_CONNECTED layers and a SOFTMAX score 12 keywords.
// TFLM's integer SVDF as TFLite also runs it (the reference): int8 input and feature weights,
// int16 time weights and state (zero point 0), int32 bias at the state's scale x the time
// weights' scale.
import { q } from "../helpers/op-compare.ts";
import { Net } from "../helpers/writer-net.ts";

const FEATURES = 40;
const KEYWORDS = 12;
/** int16 time weights in [-2000, 2000]: a uniform spread of 2000 / sqrt(3). */
const TIME_WEIGHT_LIM = 2000;

function svdf(n: Net, x: number, units: number, rank: number, memory: number, outScale: number) {
  const inputs = n.model.tensors[x].shape[1];
  const filters = units * rank;
  // feature dot products keep about the input's spread; the state holds them at 1/4096 a step
  const feature = n.scaledWeights([filters, inputs], null, inputs, 1.2);
  const stateScale = Math.fround(1 / 4096);
  const timeScale = Math.fround(1 / Math.sqrt(memory * rank) / (TIME_WEIGHT_LIM / Math.sqrt(3)));
  const time = n.constant(
    "int16",
    [filters, memory],
    n.randomInts(filters * memory, TIME_WEIGHT_LIM),
    q(timeScale, 0),
  );
  const biasScale = Math.fround(stateScale * timeScale);
  const bias = n.constant("int32", [units], n.randomInts(units, 0.2 / biasScale), q(biasScale, 0));
  const state = n.variable("int16", [1, filters * memory], q(stateScale, 0));
  // RELU as TFLM's keyword models carry it; TFLite's and TFLM's integer SVDF ignore it
  return n.op("SVDF", [x, feature.tensor, time, bias, state], "int8", [1, units], q(outScale, 0), {
    rank,
    fused_activation_function: "RELU",
  });
}

export function svdfKeyword(): Net {
  const n = new Net();
  const frame = n.input("int8", [1, FEATURES], q(0.02, -20));
  const s1 = svdf(n, frame, 32, 2, 10, 0.03);
  const s2 = svdf(n, s1, 32, 1, 8, 0.03);
  const fc1w = n.scaledWeights([16, 32], null, 32, 1.5);
  const fc1 = n.op(
    "FULLY_CONNECTED",
    [s2, fc1w.tensor, n.bias(0.03, fc1w.scales)],
    "int8",
    [1, 16],
    q(0.02, -128),
    { fused_activation_function: "RELU" },
  );
  const fc2w = n.scaledWeights([KEYWORDS, 16], null, 16, 1.5);
  const logits = n.op(
    "FULLY_CONNECTED",
    [fc1, fc2w.tensor, n.bias(0.02, fc2w.scales)],
    "int8",
    [1, KEYWORDS],
    q(0.05, 0),
  );
  n.op("SOFTMAX", [logits], "int8", [1, KEYWORDS], q(1 / 256, -128), { beta: 1 });
  return n;
}
