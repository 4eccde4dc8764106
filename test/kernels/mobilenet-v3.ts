// An int8 MobileNetV3-style network in miniature, as the TFLite converter lays out a Keras
// MobileNetV3: HARD_SWISH after the stem and the expansions, depthwise 3x3, a squeeze-excite
// whose hard sigmoid is ADD(+3, fused RELU6) then MUL(1/6), 1x1 projection, a residual ADD
// where shape allows, and a pooled classifier. Seeded random weights scaled so activations
// keep a spread of tens of steps (not saturated, not collapsed) through the network.
import { q } from "../helpers/op-compare.ts";
import { Net } from "../helpers/writer-net.ts";

const scaleOf = (n: Net, t: number) => n.model.tensors[t].quant!.scale[0];
const shapeOf = (n: Net, t: number) => n.model.tensors[t].shape;
/** Most activations: real values of spread ~1-2 at 0.04 a step (about +-5 in range). */
const ACT = 0.04;
/** After HARD_SWISH: x >= -0.375, so most of the range goes to the positive side. */
const hsQuant = () => q(0.03, -110);

function conv(n: Net, x: number, outC: number, k: number, stride: number, zp = 0): number {
  const [, h, w, inC] = shapeOf(n, x);
  const weights = n.scaledWeights([outC, k, k, inC], 0, k * k * inC, 1.5);
  const out = [1, Math.ceil(h / stride), Math.ceil(w / stride), outC];
  return n.op(
    "CONV_2D",
    [x, weights.tensor, n.bias(scaleOf(n, x), weights.scales)],
    "int8",
    out,
    q(ACT, zp),
    { padding: "SAME", stride_w: stride, stride_h: stride },
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
    q(ACT, 0),
    { padding: "SAME", stride_w: stride, stride_h: stride, depth_multiplier: 1 },
  );
}

const hardSwish = (n: Net, x: number) => n.op("HARD_SWISH", [x], "int8", shapeOf(n, x), hsQuant());

function fullyConnected(n: Net, x: number, units: number, quant = q(ACT, 0), act = "NONE") {
  const inputs = shapeOf(n, x).at(-1)!;
  const weights = n.scaledWeights([units, inputs], null, inputs, 1.5);
  return n.op(
    "FULLY_CONNECTED",
    [x, weights.tensor, n.bias(scaleOf(n, x), weights.scales)],
    "int8",
    [1, units],
    quant,
    { fused_activation_function: act },
  );
}

/** Squeeze-excite: channel gates from the pooled features, hard sigmoid, scaled features. */
function squeezeExcite(n: Net, x: number): number {
  const c = shapeOf(n, x)[3];
  const pooled = n.op(
    "MEAN",
    [x, n.constant("int32", [2], [1, 2])],
    "int8",
    [1, 1, 1, c],
    q(0.01, -100),
    { keep_dims: true },
  );
  const squeezed = fullyConnected(n, pooled, c / 4, q(0.02, -128), "RELU");
  const excited = fullyConnected(n, squeezed, c, q(ACT, 0));
  // hard sigmoid = relu6(x + 3) / 6, as the converter writes Keras' hard_sigmoid
  const three = n.constant("int8", [1], [127], q(3 / 127, 0));
  const shifted = n.op("ADD", [excited, three], "int8", [1, c], q(6 / 255, -128), {
    fused_activation_function: "RELU6",
  });
  const sixth = n.constant("int8", [1], [127], q(1 / 6 / 127, 0));
  const gate = n.op("MUL", [shifted, sixth], "int8", [1, c], q(1 / 255, -128));
  const gate4 = n.op(
    "RESHAPE",
    [gate, n.constant("int32", [4], [1, 1, 1, c])],
    "int8",
    [1, 1, 1, c],
    q(1 / 255, -128),
    { new_shape: [1, 1, 1, c] },
  );
  return n.op("MUL", [x, gate4], "int8", shapeOf(n, x), hsQuant());
}

/** Inverted residual: 1x1 expand + HARD_SWISH, 3x3 depthwise + HARD_SWISH, [SE], 1x1 project. */
function block(n: Net, x: number, expand: number, outC: number, stride: number, se: boolean) {
  const inC = shapeOf(n, x)[3];
  let y = hardSwish(n, conv(n, x, inC * expand, 1, 1, 5));
  y = hardSwish(n, depthwise(n, y, stride));
  if (se) y = squeezeExcite(n, y);
  y = conv(n, y, outC, 1, 1, 3);
  if (stride !== 1 || inC !== outC) return y;
  return n.op("ADD", [x, y], "int8", shapeOf(n, y), q(0.05, 0));
}

export function mobileNetV3Blocks(): Net {
  const n = new Net();
  const image = n.input("int8", [1, 64, 64, 3], q(0.02, 0));
  let x = hardSwish(n, conv(n, image, 8, 3, 2));
  x = block(n, x, 2, 8, 2, true);
  x = block(n, x, 3, 8, 1, false);
  x = hardSwish(n, conv(n, x, 32, 1, 1));
  const pooled = n.op(
    "MEAN",
    [x, n.constant("int32", [2], [1, 2])],
    "int8",
    [1, 32],
    q(0.01, -100),
    {
      keep_dims: false,
    },
  );
  const logits = fullyConnected(n, pooled, 10, q(0.1, 0));
  n.op("SOFTMAX", [logits], "int8", [1, 10], q(1 / 256, -128), { beta: 1 });
  return n;
}
