// RESIZE_NEAREST_NEIGHBOR (any element type) and RESIZE_BILINEAR (int8 and float32) of NHWC
// tensors to the output's height and width, with align_corners and half_pixel_centers, as
// TFLite's reference: nearest picks floor((x + offset) * scale) (rounded under
// align_corners); bilinear int8 is ResizeBilinearInteger's 10-bit fixed point (exact),
// float32 the four-point blend. The output keeps the input's quantisation.
import { ExtensionOp } from "./extension";
import { Tensor } from "../tensor";
import { TYPE_FLOAT32, TYPE_INT8 } from "../schema";
import { roundAway } from "../quant";
import { checkConstInts, constInt } from "./strided-copy";
import { checkSameKind } from "./transpose";

abstract class Resize extends ExtensionOp {
  protected input: Tensor | null = null;
  protected output: Tensor | null = null;
  protected alignCorners: bool = false;
  protected halfPixel: bool = false;

  abstract options(): void;
  abstract typeCheck(t: Tensor): string;

  prepare(): string {
    const op = this.op;
    if (op.inputCount < 2 || !op.hasInput(0) || !op.hasInput(1) || op.outputCount < 1) return "needs an input and a size input";
    const input = op.input(0);
    const size = op.input(1);
    const output = op.output(0);
    const same = checkSameKind(input, output);
    if (same.length > 0) return same;
    const t = this.typeCheck(input);
    if (t.length > 0) return t;
    if (input.rank != 4 || output.rank != 4) return "input and output must be 4-D (NHWC)";
    if (output.dim(0) != input.dim(0) || output.dim(3) != input.dim(3)) return "output batch and channels must be the input's";
    if (size.isConstant) {
      const why = checkConstInts(size, 2, "size");
      if (why.length > 0) return why;
      if (constInt(size, 0) != output.dim(1) || constInt(size, 1) != output.dim(2)) return "size does not match the output's height and width";
    }
    this.options();
    if (this.alignCorners && this.halfPixel) return "align_corners and half_pixel_centers cannot both be set";
    this.input = input;
    this.output = output;
    return "";
  }
}

/** TFLite's GetNearestNeighbor. */
function nearest(x: i32, inSize: i32, outSize: i32, align: bool, half: bool): i32 {
  const scale: f32 = align && outSize > 1 ? <f32>(inSize - 1) / <f32>(outSize - 1) : <f32>inSize / <f32>outSize;
  const offset: f32 = half ? 0.5 : 0;
  const v = (<f32>x + offset) * scale;
  let r = align ? <i32>roundAway(<f64>v) : <i32>Mathf.floor(v);
  r = min(r, inSize - 1);
  return half ? max(0, r) : r;
}

export class ResizeNearestNeighbor extends Resize {
  options(): void {
    this.alignCorners = this.op.optBool(0, false);
    this.halfPixel = this.op.optBool(1, false);
  }

  typeCheck(t: Tensor): string {
    return "";
  }

  eval(scratch: usize): void {
    const input = changetype<Tensor>(this.input);
    const output = changetype<Tensor>(this.output);
    const n = input.dim(0), ih = input.dim(1), iw = input.dim(2);
    const oh = output.dim(1), ow = output.dim(2);
    const block = <usize>(input.dim(3) * input.elementBytes);
    let dst = output.data;
    for (let b = 0; b < n; b++) {
      for (let y = 0; y < oh; y++) {
        const iy = nearest(y, ih, oh, this.alignCorners, this.halfPixel);
        for (let x = 0; x < ow; x++) {
          const ix = nearest(x, iw, ow, this.alignCorners, this.halfPixel);
          memory.copy(dst, input.data + <usize>((b * ih + iy) * iw + ix) * block, block);
          dst += block;
        }
      }
    }
  }
}

export class ResizeBilinear extends Resize {
  options(): void {
    this.alignCorners = this.op.optBool(2, false);
    this.halfPixel = this.op.optBool(3, false);
  }

  typeCheck(t: Tensor): string {
    return t.type == TYPE_INT8 || t.type == TYPE_FLOAT32 ? "" : "input must be int8 or float32";
  }

  eval(scratch: usize): void {
    if (changetype<Tensor>(this.input).type == TYPE_FLOAT32) this.evalFloat();
    else this.evalInt8();
  }

  private evalInt8(): void {
    const input = changetype<Tensor>(this.input);
    const output = changetype<Tensor>(this.output);
    const n = input.dim(0), ih = input.dim(1), iw = input.dim(2), c = input.dim(3);
    const oh = output.dim(1), ow = output.dim(2);
    let hs = ((1 << 10) * ih + oh / 2) / oh;
    let ws = ((1 << 10) * iw + ow / 2) / ow;
    if (this.alignCorners && oh > 1) hs = ((1 << 10) * (ih - 1) + (oh - 1) / 2) / (oh - 1);
    if (this.alignCorners && ow > 1) ws = ((1 << 10) * (iw - 1) + (ow - 1) / 2) / (ow - 1);
    const src = input.data;
    let dst = output.data;
    for (let b = 0; b < n; b++) {
      for (let y = 0; y < oh; y++) {
        const sy = this.halfPixel ? y * hs + hs / 2 - (1 << 9) : y * hs;
        const y0 = max(sy / (1 << 10), 0);
        const y1 = min((sy + (1 << 10) - 1) / (1 << 10), ih - 1);
        const fy = <i64>(sy - (1 << 10) * y0);
        for (let x = 0; x < ow; x++) {
          const sx = this.halfPixel ? x * ws + ws / 2 - (1 << 9) : x * ws;
          const x0 = max(sx / (1 << 10), 0);
          const x1 = min((sx + (1 << 10) - 1) / (1 << 10), iw - 1);
          const fx = <i64>(sx - (1 << 10) * x0);
          const p00 = src + <usize>(((b * ih + y0) * iw + x0) * c);
          const p10 = src + <usize>(((b * ih + y1) * iw + x0) * c);
          const p01 = src + <usize>(((b * ih + y0) * iw + x1) * c);
          const p11 = src + <usize>(((b * ih + y1) * iw + x1) * c);
          for (let k = 0; k < c; k++) {
            const o = <i64>load<i8>(p00 + <usize>k) * ((1 << 10) - fy) * ((1 << 10) - fx)
              + <i64>load<i8>(p10 + <usize>k) * fy * ((1 << 10) - fx)
              + <i64>load<i8>(p01 + <usize>k) * ((1 << 10) - fy) * fx
              + <i64>load<i8>(p11 + <usize>k) * fy * fx;
            const round: i64 = o > 0 ? (1 << 19) : -(1 << 19);
            store<i8>(dst + <usize>k, <i8>((o + round) / (1 << 20)));
          }
          dst += <usize>c;
        }
      }
    }
  }

  private evalFloat(): void {
    const input = changetype<Tensor>(this.input);
    const output = changetype<Tensor>(this.output);
    const n = input.dim(0), ih = input.dim(1), iw = input.dim(2), c = input.dim(3);
    const oh = output.dim(1), ow = output.dim(2);
    const hs: f32 = this.alignCorners && oh > 1 ? <f32>(ih - 1) / <f32>(oh - 1) : <f32>ih / <f32>oh;
    const ws: f32 = this.alignCorners && ow > 1 ? <f32>(iw - 1) / <f32>(ow - 1) : <f32>iw / <f32>ow;
    const src = input.data;
    let dst = output.data;
    for (let b = 0; b < n; b++) {
      for (let y = 0; y < oh; y++) {
        const sy: f32 = this.halfPixel ? (<f32>y + 0.5) * hs - 0.5 : <f32>y * hs;
        const y0 = max(<i32>Mathf.floor(sy), 0);
        const y1 = min(<i32>Mathf.ceil(sy), ih - 1);
        const dy: f32 = sy - <f32>y0;
        for (let x = 0; x < ow; x++) {
          const sx: f32 = this.halfPixel ? (<f32>x + 0.5) * ws - 0.5 : <f32>x * ws;
          const x0 = max(<i32>Mathf.floor(sx), 0);
          const x1 = min(<i32>Mathf.ceil(sx), iw - 1);
          const dx: f32 = sx - <f32>x0;
          const p00 = src + (<usize>(((b * ih + y0) * iw + x0) * c) << 2);
          const p10 = src + (<usize>(((b * ih + y1) * iw + x0) * c) << 2);
          const p01 = src + (<usize>(((b * ih + y0) * iw + x1) * c) << 2);
          const p11 = src + (<usize>(((b * ih + y1) * iw + x1) * c) << 2);
          for (let k = 0; k < c; k++) {
            const at = <usize>k << 2;
            const v = load<f32>(p00 + at) * (1 - dy) * (1 - dx) + load<f32>(p10 + at) * dy * (1 - dx)
              + load<f32>(p01 + at) * (1 - dy) * dx + load<f32>(p11 + at) * dy * dx;
            store<f32>(dst + at, v);
          }
          dst += <usize>c << 2;
        }
      }
    }
  }
}
