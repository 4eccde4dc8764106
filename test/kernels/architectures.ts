// The architectures users bring that need the newer ops, built with our writer and seeded
// random weights (the same bytes on every run), for the layer-by-layer comparison against
// TFLite (test/kernels/ops-architectures.test.ts) and the latency and memory tables of
// docs/models.md (test/bench/architectures.ts):
//  - a FOMO-style int8 head: TRANSPOSE_CONV upsampling, 1x1 CONV_2D, per-pixel SOFTMAX;
//  - an int8 self-attention block: BATCH_MATMUL projections, Q.K^T (adj_y), SOFTMAX,
//    attention-weighted values, L2_NORMALIZATION;
//  - a float32 layer-norm and head: MEAN, SUB, MUL, RSQRT, DIV, SQRT, EXP, LOG, LOG_SOFTMAX;
//  - int8 MobileNetV3-style blocks (mobilenet-v3.ts);
//  - an int8 SVDF keyword model fed streaming feature frames (svdf-keyword.ts).
import { q } from "../helpers/op-compare.ts";
import { Net } from "../helpers/writer-net.ts";
import { mobileNetV3Blocks } from "./mobilenet-v3.ts";
import { svdfKeyword } from "./svdf-keyword.ts";

export interface Architecture {
  name: string;
  /** Short id for file names and the bench's results. */
  id: string;
  build: () => Net;
  /** Input sets run in one boot: more than one where state carries between invocations. */
  sets: number;
  /** What the doc says about the model. */
  about: string;
}

function fomoHead(): Net {
  const n = new Net();
  const x = n.input("int8", [1, 8, 8, 4], q(0.05, -10));
  const pc = (k: number, s: number) => ({
    scale: Array.from({ length: k }, (_, i) => Math.fround(s * (1 + i / k))),
    zeroPoint: Array(k).fill(0),
    quantizedDimension: 0,
  });
  const up = n.op(
    "TRANSPOSE_CONV",
    [n.constant("int32", [4], [1, 16, 16, 8]), n.weights("int8", [8, 2, 2, 4], pc(8, 0.01)), x],
    "int8",
    [1, 16, 16, 8],
    q(0.04, -20),
    { padding: "VALID", stride_w: 2, stride_h: 2 },
  );
  const conv = n.op(
    "CONV_2D",
    [up, n.weights("int8", [3, 1, 1, 8], pc(3, 0.01)), n.constant("int32", [3], [50, -20, 300])],
    "int8",
    [1, 16, 16, 3],
    q(0.05, 5),
    { padding: "SAME" },
  );
  n.op("SOFTMAX", [conv], "int8", [1, 16, 16, 3], q(1 / 256, -128), { beta: 1 });
  return n;
}

function attention(): Net {
  const n = new Net();
  const x = n.input("int8", [1, 6, 8], q(0.05, 0));
  const wq = n.weights("int8", [8, 8], q(0.01, 0));
  const wk = n.weights("int8", [8, 8], q(0.01, 0));
  const Q = n.op("BATCH_MATMUL", [x, wq], "int8", [1, 6, 8], q(0.1, 0));
  const K = n.op("BATCH_MATMUL", [x, wk], "int8", [1, 6, 8], q(0.1, 0));
  const S = n.op("BATCH_MATMUL", [Q, K], "int8", [1, 6, 6], q(1.5, 0), { adj_y: true });
  const P = n.op("SOFTMAX", [S], "int8", [1, 6, 6], q(1 / 256, -128), { beta: 1 });
  const A = n.op("BATCH_MATMUL", [P, x], "int8", [1, 6, 8], q(0.05, 0));
  n.op("L2_NORMALIZATION", [A], "int8", [1, 6, 8], q(1 / 128, 0));
  return n;
}

function floatNorm(): Net {
  const F = "float32" as const;
  const n = new Net();
  const x = n.input(F, [2, 16]);
  const axis = n.constant("int32", [1], [-1]);
  const mean = n.op("MEAN", [x, axis], F, [2, 1], undefined, { keep_dims: true });
  const d = n.op("SUB", [x, mean], F, [2, 16]);
  const v = n.op("MEAN", [n.op("MUL", [d, d], F, [2, 16]), axis], F, [2, 1], undefined, {
    keep_dims: true,
  });
  const r = n.op("RSQRT", [n.op("ADD", [v, n.constant(F, [1], [1e-3])], F, [2, 1])], F, [2, 1]);
  const y = n.op("MUL", [d, r], F, [2, 16]);
  const soft = n.op(
    "LOG",
    [n.op("ADD", [n.op("EXP", [y], F, [2, 16]), n.constant(F, [1], [1])], F, [2, 16])],
    F,
    [2, 16],
  ); // softplus
  const z = n.op(
    "DIV",
    [
      soft,
      n.op(
        "SQRT",
        [n.op("ADD", [n.op("MUL", [y, y], F, [2, 16]), n.constant(F, [1], [1])], F, [2, 16])],
        F,
        [2, 16],
      ),
    ],
    F,
    [2, 16],
  );
  n.op("LOG_SOFTMAX", [z], F, [2, 16]);
  return n;
}

export const ARCHITECTURES: Architecture[] = [
  {
    name: "FOMO-style int8 head",
    id: "fomo_head",
    build: fomoHead,
    sets: 3,
    about: "TRANSPOSE_CONV 2x upsampling, 1x1 CONV_2D, per-pixel SOFTMAX",
  },
  {
    name: "int8 self-attention block",
    id: "attention_block",
    build: attention,
    sets: 3,
    about: "BATCH_MATMUL projections, Q.K^T, SOFTMAX, attention-weighted values, L2_NORMALIZATION",
  },
  {
    name: "float32 layer norm and head",
    id: "layer_norm_head",
    build: floatNorm,
    sets: 3,
    about: "MEAN, SUB, MUL, RSQRT layer norm; softplus (EXP, LOG), DIV, SQRT, LOG_SOFTMAX",
  },
  {
    name: "int8 MobileNetV3-style blocks",
    id: "mobilenet_v3_blocks",
    build: mobileNetV3Blocks,
    sets: 6,
    about:
      "64x64x3 image; stem CONV_2D + HARD_SWISH, two inverted-residual blocks (1x1 expand + HARD_SWISH, " +
      "3x3 DEPTHWISE_CONV_2D + HARD_SWISH, squeeze-excite MEAN/FULLY_CONNECTED/hard-sigmoid/MUL in the first, " +
      "1x1 project, residual ADD in the second), 1x1 CONV_2D + HARD_SWISH, MEAN, FULLY_CONNECTED, SOFTMAX over 10 classes",
  },
  {
    name: "int8 SVDF keyword model",
    id: "svdf_keyword",
    build: svdfKeyword,
    sets: 8,
    about:
      "one 40-channel feature frame per invocation; SVDF (32 units, rank 2, memory 10), SVDF (32 units, rank 1, " +
      "memory 8), FULLY_CONNECTED + RELU, FULLY_CONNECTED, SOFTMAX over 12 keywords; the SVDF state carries between frames",
  },
];
