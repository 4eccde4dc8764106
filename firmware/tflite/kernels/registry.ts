// Which kernel runs which builtin operator. Each kernel's prepare() checks the types it
// is given, so the registry maps by operator code only. Kernels added since the first
// twenty are ExtensionOps behind the one Extension kernel (see extension.ts for why).
import { Kernel } from "../kernel";
import * as s from "../schema";
import { Conv2D } from "./conv";
import { DepthwiseConv2D } from "./depthwise-conv";
import { FullyConnected } from "./fully-connected";
import { AveragePool2D, MaxPool2D } from "./pooling";
import { Softmax } from "./softmax";
import { Logistic, Tanh } from "./activations";
import { Add, Mul } from "./elementwise";
import { Sub } from "./sub";
import { Extension } from "./extension";
import { Concatenation } from "./concatenation";
import { Quantize, Dequantize } from "./quantize";
import { Mean } from "./mean";
import { Pad, PadV2 } from "./pad";
import { Reshape } from "./reshape";
import { Relu, Relu6 } from "./relu";
import { Maximum, Minimum } from "./maximum-minimum";
import { SquaredDifference } from "./squared-difference";
import { Prelu } from "./prelu";
import {
  Comparison, COMPARE_EQUAL, COMPARE_GREATER, COMPARE_GREATER_EQUAL, COMPARE_LESS, COMPARE_LESS_EQUAL, COMPARE_NOT_EQUAL,
} from "./comparisons";
import { Abs, HardSwish, LeakyRelu, Neg, Relu0To1, ReluN1To1 } from "./unary";
import { Fill, Shape, ZerosLike } from "./shape";
import { DepthToSpace, SpaceToDepth, Transpose } from "./transpose";
import { Slice, StridedSlice } from "./slice";
import { Pack, Split, Unpack } from "./split-pack";
import { Gather } from "./gather";
import { ResizeBilinear, ResizeNearestNeighbor } from "./resize";
import { ArgMinMax, ReduceMax, Sum } from "./reduce";
import { SelectV2 } from "./select";
import { Exp, Log, Rsqrt, Sqrt } from "./math";
import { Div } from "./div";
import { L2Normalization } from "./l2-normalization";
import { BatchMatMul } from "./batch-matmul";
import { TransposeConv } from "./transpose-conv";
import { LogSoftmax } from "./log-softmax";
import { Svdf } from "./svdf";
import { UnidirectionalSequenceLstm } from "./lstm";

export function createKernel(code: i32): Kernel | null {
  // One `if` per operator, common ops first (as cheap on silicon as a switch's jump table for
  // the few ops a model has). It was written to dodge a meter defect, since fixed: the meter
  // charged every case body of a switch at its entry (~2,000 cycles a layer for 70 cases); it
  // now charges code only where it runs (branch-exits.ts), so a switch would cost its case.
  if (code == s.OP_CONV_2D) return new Conv2D();
  if (code == s.OP_DEPTHWISE_CONV_2D) return new DepthwiseConv2D();
  if (code == s.OP_FULLY_CONNECTED) return new FullyConnected();
  if (code == s.OP_AVERAGE_POOL_2D) return new AveragePool2D();
  if (code == s.OP_MAX_POOL_2D) return new MaxPool2D();
  if (code == s.OP_SOFTMAX) return new Softmax();
  if (code == s.OP_LOGISTIC) return new Logistic();
  if (code == s.OP_TANH) return new Tanh();
  if (code == s.OP_ADD) return new Add();
  if (code == s.OP_MUL) return new Mul();
  if (code == s.OP_CONCATENATION) return new Concatenation();
  if (code == s.OP_QUANTIZE) return new Quantize();
  if (code == s.OP_DEQUANTIZE) return new Dequantize();
  if (code == s.OP_MEAN) return new Mean();
  if (code == s.OP_PAD) return new Pad();
  if (code == s.OP_RESHAPE || code == s.OP_SQUEEZE) return new Reshape();
  if (code == s.OP_RELU) return new Relu();
  if (code == s.OP_RELU6) return new Relu6();
  if (code == s.OP_EXPAND_DIMS) return new Reshape();
  if (code == s.OP_PADV2) return new Extension(new PadV2());
  if (code == s.OP_SUB) return new Extension(new Sub());
  if (code == s.OP_MAXIMUM) return new Extension(new Maximum());
  if (code == s.OP_MINIMUM) return new Extension(new Minimum());
  if (code == s.OP_SQUARED_DIFFERENCE) return new Extension(new SquaredDifference());
  if (code == s.OP_PRELU) return new Extension(new Prelu());
  if (code == s.OP_LESS) return new Extension(new Comparison(COMPARE_LESS));
  if (code == s.OP_LESS_EQUAL) return new Extension(new Comparison(COMPARE_LESS_EQUAL));
  if (code == s.OP_GREATER) return new Extension(new Comparison(COMPARE_GREATER));
  if (code == s.OP_GREATER_EQUAL) return new Extension(new Comparison(COMPARE_GREATER_EQUAL));
  if (code == s.OP_EQUAL) return new Extension(new Comparison(COMPARE_EQUAL));
  if (code == s.OP_NOT_EQUAL) return new Extension(new Comparison(COMPARE_NOT_EQUAL));
  if (code == s.OP_SELECT_V2) return new Extension(new SelectV2());
  if (code == s.OP_LEAKY_RELU) return new Extension(new LeakyRelu());
  if (code == s.OP_HARD_SWISH) return new Extension(new HardSwish());
  if (code == s.OP_RELU_N1_TO_1) return new Extension(new ReluN1To1());
  if (code == s.OP_RELU_0_TO_1) return new Extension(new Relu0To1());
  if (code == s.OP_ABS) return new Extension(new Abs());
  if (code == s.OP_NEG) return new Extension(new Neg());
  if (code == s.OP_SHAPE) return new Extension(new Shape());
  if (code == s.OP_FILL) return new Extension(new Fill());
  if (code == s.OP_ZEROS_LIKE) return new Extension(new ZerosLike());
  if (code == s.OP_TRANSPOSE) return new Extension(new Transpose());
  if (code == s.OP_SPACE_TO_DEPTH) return new Extension(new SpaceToDepth());
  if (code == s.OP_DEPTH_TO_SPACE) return new Extension(new DepthToSpace());
  if (code == s.OP_SLICE) return new Extension(new Slice());
  if (code == s.OP_STRIDED_SLICE) return new Extension(new StridedSlice());
  if (code == s.OP_SPLIT || code == s.OP_SPLIT_V) return new Extension(new Split());
  if (code == s.OP_PACK) return new Extension(new Pack());
  if (code == s.OP_UNPACK) return new Extension(new Unpack());
  if (code == s.OP_GATHER) return new Extension(new Gather());
  if (code == s.OP_RESIZE_NEAREST_NEIGHBOR) return new Extension(new ResizeNearestNeighbor());
  if (code == s.OP_RESIZE_BILINEAR) return new Extension(new ResizeBilinear());
  if (code == s.OP_SUM) return new Extension(new Sum());
  if (code == s.OP_REDUCE_MAX) return new Extension(new ReduceMax());
  if (code == s.OP_ARG_MAX) return new Extension(new ArgMinMax(true));
  if (code == s.OP_ARG_MIN) return new Extension(new ArgMinMax(false));
  if (code == s.OP_RSQRT) return new Extension(new Rsqrt());
  if (code == s.OP_SQRT) return new Extension(new Sqrt());
  if (code == s.OP_EXP) return new Extension(new Exp());
  if (code == s.OP_LOG) return new Extension(new Log());
  if (code == s.OP_DIV) return new Extension(new Div());
  if (code == s.OP_L2_NORMALIZATION) return new Extension(new L2Normalization());
  if (code == s.OP_BATCH_MATMUL) return new Extension(new BatchMatMul());
  if (code == s.OP_TRANSPOSE_CONV) return new Extension(new TransposeConv());
  if (code == s.OP_LOG_SOFTMAX) return new Extension(new LogSoftmax());
  if (code == s.OP_SVDF) return new Extension(new Svdf());
  return null;
}

/** Kernels the interpreter asks for only when createKernel has none (kernels added since issue
 *  16): a case added to createKernel's switch (as it then was) changed the start-up cycles of
 *  every existing model (58 to 815 busy cycles per app, measured); this path left them as they were. */
export function createLaterKernel(code: i32): Kernel | null {
  if (code == s.OP_UNIDIRECTIONAL_SEQUENCE_LSTM) return new Extension(new UnidirectionalSequenceLstm());
  return null;
}
