// The output size and padding of a windowed op along each axis, and the stride / dilation /
// padding options CONV_2D and DEPTHWISE_CONV_2D share, as TFLite computes them.
import { Kernel } from "../../kernel";
import { Tensor } from "../../tensor";
import { PADDING_SAME, PADDING_VALID } from "../../schema";

/** Output size and leading padding along one axis, as TFLite computes them. */
export class Window {
  out: i32 = 0;
  pad: i32 = 0;
}

export function computeWindow(w: Window, inSize: i32, filter: i32, stride: i32, dilation: i32, padding: i32): void {
  const effective = (filter - 1) * dilation + 1;
  w.out = padding == PADDING_SAME ? (inSize + stride - 1) / stride : (inSize - effective + stride) / stride;
  const total = (w.out - 1) * stride + effective - inSize;
  w.pad = total > 0 ? total / 2 : 0;
}

// check()'s two axes: shared, so that preparing a layer leaves no objects in the arena's tail.
const windowY = new Window(), windowX = new Window();

/** Reads and checks the stride/dilation/padding options shared by CONV_2D and DEPTHWISE_CONV_2D:
 *  their kernels' base class, so the geometry lives in the kernel's own object (one heap
 *  header in the arena's tail per layer, not two). */
export abstract class ConvGeometry extends Kernel {
  batches: i32 = 0;
  inH: i32 = 0;
  inW: i32 = 0;
  inC: i32 = 0;
  kH: i32 = 0;
  kW: i32 = 0;
  strideH: i32 = 1;
  strideW: i32 = 1;
  dilH: i32 = 1;
  dilW: i32 = 1;
  outH: i32 = 0;
  outW: i32 = 0;
  outC: i32 = 0;
  padT: i32 = 0;
  padL: i32 = 0;

  /** "" when the shapes agree with the options; `padding`/`stride`… are the options. */
  check(input: Tensor, kH: i32, kW: i32, output: Tensor, padding: i32, strideW: i32, strideH: i32, dilW: i32, dilH: i32): string {
    if (input.rank != 4 || output.rank != 4) return "input and output must be 4-D (NHWC)";
    if (padding != PADDING_SAME && padding != PADDING_VALID) return "unknown padding " + padding.toString();
    if (strideW < 1 || strideH < 1 || dilW < 1 || dilH < 1) return "stride and dilation must be at least 1";
    if (kH < 1 || kW < 1) return "empty filter";
    this.batches = input.dim(0); this.inH = input.dim(1); this.inW = input.dim(2); this.inC = input.dim(3);
    this.kH = kH; this.kW = kW; this.strideH = strideH; this.strideW = strideW; this.dilH = dilH; this.dilW = dilW;
    const wy = windowY, wx = windowX;
    computeWindow(wy, this.inH, kH, strideH, dilH, padding);
    computeWindow(wx, this.inW, kW, strideW, dilW, padding);
    if (wy.out < 1 || wx.out < 1) return "filter larger than the input";
    this.outH = wy.out; this.outW = wx.out; this.padT = wy.pad; this.padL = wx.pad;
    this.outC = output.dim(3);
    if (output.dim(0) != this.batches || output.dim(1) != this.outH || output.dim(2) != this.outW) {
      return "output shape does not match the options (expected " + this.outH.toString() + "x" + this.outW.toString() + ")";
    }
    return "";
  }
}
