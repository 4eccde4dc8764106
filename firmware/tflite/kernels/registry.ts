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
  switch (code) {
    case s.OP_CONV_2D: return new Conv2D();
    case s.OP_DEPTHWISE_CONV_2D: return new DepthwiseConv2D();
    case s.OP_FULLY_CONNECTED: return new FullyConnected();
    case s.OP_AVERAGE_POOL_2D: return new AveragePool2D();
    case s.OP_MAX_POOL_2D: return new MaxPool2D();
    case s.OP_SOFTMAX: return new Softmax();
    case s.OP_LOGISTIC: return new Logistic();
    case s.OP_TANH: return new Tanh();
    case s.OP_ADD: return new Add();
    case s.OP_MUL: return new Mul();
    case s.OP_CONCATENATION: return new Concatenation();
    case s.OP_QUANTIZE: return new Quantize();
    case s.OP_DEQUANTIZE: return new Dequantize();
    case s.OP_MEAN: return new Mean();
    case s.OP_PAD: return new Pad();
    case s.OP_RESHAPE: case s.OP_SQUEEZE: return new Reshape();
    case s.OP_RELU: return new Relu();
    case s.OP_RELU6: return new Relu6();
    case s.OP_EXPAND_DIMS: return new Reshape();
    case s.OP_PADV2: return new Extension(new PadV2());
    case s.OP_SUB: return new Extension(new Sub());
    case s.OP_MAXIMUM: return new Extension(new Maximum());
    case s.OP_MINIMUM: return new Extension(new Minimum());
    case s.OP_SQUARED_DIFFERENCE: return new Extension(new SquaredDifference());
    case s.OP_PRELU: return new Extension(new Prelu());
    case s.OP_LESS: return new Extension(new Comparison(COMPARE_LESS));
    case s.OP_LESS_EQUAL: return new Extension(new Comparison(COMPARE_LESS_EQUAL));
    case s.OP_GREATER: return new Extension(new Comparison(COMPARE_GREATER));
    case s.OP_GREATER_EQUAL: return new Extension(new Comparison(COMPARE_GREATER_EQUAL));
    case s.OP_EQUAL: return new Extension(new Comparison(COMPARE_EQUAL));
    case s.OP_NOT_EQUAL: return new Extension(new Comparison(COMPARE_NOT_EQUAL));
    case s.OP_SELECT_V2: return new Extension(new SelectV2());
    case s.OP_LEAKY_RELU: return new Extension(new LeakyRelu());
    case s.OP_HARD_SWISH: return new Extension(new HardSwish());
    case s.OP_RELU_N1_TO_1: return new Extension(new ReluN1To1());
    case s.OP_RELU_0_TO_1: return new Extension(new Relu0To1());
    case s.OP_ABS: return new Extension(new Abs());
    case s.OP_NEG: return new Extension(new Neg());
    case s.OP_SHAPE: return new Extension(new Shape());
    case s.OP_FILL: return new Extension(new Fill());
    case s.OP_ZEROS_LIKE: return new Extension(new ZerosLike());
    case s.OP_TRANSPOSE: return new Extension(new Transpose());
    case s.OP_SPACE_TO_DEPTH: return new Extension(new SpaceToDepth());
    case s.OP_DEPTH_TO_SPACE: return new Extension(new DepthToSpace());
    case s.OP_SLICE: return new Extension(new Slice());
    case s.OP_STRIDED_SLICE: return new Extension(new StridedSlice());
    case s.OP_SPLIT: case s.OP_SPLIT_V: return new Extension(new Split());
    case s.OP_PACK: return new Extension(new Pack());
    case s.OP_UNPACK: return new Extension(new Unpack());
    case s.OP_GATHER: return new Extension(new Gather());
    case s.OP_RESIZE_NEAREST_NEIGHBOR: return new Extension(new ResizeNearestNeighbor());
    case s.OP_RESIZE_BILINEAR: return new Extension(new ResizeBilinear());
    case s.OP_SUM: return new Extension(new Sum());
    case s.OP_REDUCE_MAX: return new Extension(new ReduceMax());
    case s.OP_ARG_MAX: return new Extension(new ArgMinMax(true));
    case s.OP_ARG_MIN: return new Extension(new ArgMinMax(false));
    case s.OP_RSQRT: return new Extension(new Rsqrt());
    case s.OP_SQRT: return new Extension(new Sqrt());
    case s.OP_EXP: return new Extension(new Exp());
    case s.OP_LOG: return new Extension(new Log());
    case s.OP_DIV: return new Extension(new Div());
    case s.OP_L2_NORMALIZATION: return new Extension(new L2Normalization());
    case s.OP_BATCH_MATMUL: return new Extension(new BatchMatMul());
    case s.OP_TRANSPOSE_CONV: return new Extension(new TransposeConv());
    case s.OP_LOG_SOFTMAX: return new Extension(new LogSoftmax());
    case s.OP_SVDF: return new Extension(new Svdf());
    default: return null;
  }
}

/** Kernels the interpreter asks for only when createKernel has none (kernels added since issue
 *  16): a case added to createKernel's switch changed the start-up cycles of every existing
 *  model (58 to 815 busy cycles per app, measured), this path leaves them as they were. */
export function createLaterKernel(code: i32): Kernel | null {
  if (code == s.OP_UNIDIRECTIONAL_SEQUENCE_LSTM) return new Extension(new UnidirectionalSequenceLstm());
  return null;
}
