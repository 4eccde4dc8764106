// Which kernel runs which builtin operator. Each kernel's prepare() checks the types it
// is given, so the registry maps by operator code only.
import { Kernel } from "../kernel";
import * as s from "../schema";
import { Conv2D } from "./conv";
import { DepthwiseConv2D } from "./depthwise-conv";
import { FullyConnected } from "./fully-connected";
import { AveragePool2D, MaxPool2D } from "./pooling";
import { Softmax } from "./softmax";
import { Logistic, Tanh } from "./activations";
import { Add, Mul } from "./elementwise";
import { Concatenation } from "./concatenation";
import { Quantize, Dequantize } from "./quantize";
import { Mean } from "./mean";
import { Pad } from "./pad";
import { Reshape } from "./reshape";
import { Relu, Relu6 } from "./relu";

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
    default: return null;
  }
}
