// TRANSPOSE (a constant permutation, rank up to 6), SPACE_TO_DEPTH and DEPTH_TO_SPACE
// (NHWC, block_size): pure data movement, any element type, exact. The two block ops are
// 6-D transposes. As TFLM, int8 outputs keep the input's quantisation (checked).
import { ExtensionOp } from "./extension";
import { Tensor } from "../tensor";
import { TYPE_INT8 } from "../schema";
import { StridedCopy, MAX_COPY_DIMS, checkConstInts, constInt, stridesOf } from "./strided-copy";

const OPT_BLOCK_SIZE: u32 = 0; // SpaceToDepthOptions / DepthToSpaceOptions.block_size

/** "" when input and output share type and (for int8) quantisation. */
export function checkSameKind(input: Tensor, output: Tensor): string {
  if (input.type != output.type) return "input and output types differ";
  if (input.elementBytes == 0) return "unsupported type";
  if (input.type == TYPE_INT8 && (input.scale != output.scale || input.zeroPoint != output.zeroPoint)) return "int8 output must keep the input's scale and zero point";
  return "";
}

abstract class Movement extends ExtensionOp {
  protected copy: StridedCopy = new StridedCopy();
  protected input: Tensor | null = null;
  protected output: Tensor | null = null;

  abstract plan(input: Tensor, output: Tensor): string;

  prepare(): string {
    const op = this.op;
    if (op.inputCount < 1 || !op.hasInput(0) || op.outputCount < 1) return "needs an input and an output";
    const input = op.input(0);
    const output = op.output(0);
    const why = checkSameKind(input, output);
    if (why.length > 0) return why;
    if (input.elements != output.elements) return "input has " + input.elements.toString() + " elements, output " + output.elements.toString();
    this.copy.elem = input.elementBytes;
    this.input = input;
    this.output = output;
    return this.plan(input, output);
  }

  eval(scratch: usize): void {
    this.copy.run(changetype<Tensor>(this.output).data, changetype<Tensor>(this.input).data);
  }
}

export class Transpose extends Movement {
  plan(input: Tensor, output: Tensor): string {
    const op = this.op;
    if (op.inputCount < 2 || !op.hasInput(1)) return "needs a permutation input";
    const perm = op.input(1);
    const rank = input.rank;
    if (rank > MAX_COPY_DIMS) return "rank above 6";
    const why = checkConstInts(perm, rank, "permutation");
    if (why.length > 0) return why;
    if (perm.elements != rank || output.rank != rank) return "permutation and output must have the input's rank " + rank.toString();
    const strides = stridesOf(input);
    const seen = new StaticArray<bool>(max(rank, 1));
    const outStrides = stridesOf(output);
    for (let d = 0; d < rank; d++) {
      let p = constInt(perm, d);
      if (p < 0) p += rank;
      if (p < 0 || p >= rank || seen[p]) return "permutation is not a permutation of 0.." + (rank - 1).toString();
      seen[p] = true;
      if (output.dim(d) != input.dim(p)) return "output dimension " + d.toString() + " must be input dimension " + p.toString();
      this.copy.push(output.dim(d), strides[p], outStrides[d]);
    }
    return "";
  }
}

function blockSize(k: ExtensionOp): i32 {
  return k.op.optI32(OPT_BLOCK_SIZE, 0);
}

export class SpaceToDepth extends Movement {
  plan(input: Tensor, output: Tensor): string {
    const b = blockSize(this);
    if (b < 1) return "block_size must be at least 1";
    if (input.rank != 4 || output.rank != 4) return "input and output must be 4-D (NHWC)";
    const n = input.dim(0), h = input.dim(1), w = input.dim(2), c = input.dim(3);
    if (h % b != 0 || w % b != 0) return "height and width must be multiples of block_size";
    if (output.dim(0) != n || output.dim(1) != h / b || output.dim(2) != w / b || output.dim(3) != c * b * b) return "output shape must be [N, H/b, W/b, C*b*b]";
    // Output order [n, oh, ow, bh, bw, c], read from the input at (oh*b + bh, ow*b + bw).
    const cp = this.copy;
    const ob = output.dim(3);
    cp.push(n, h * w * c, (h / b) * (w / b) * ob);
    cp.push(h / b, b * w * c, (w / b) * ob);
    cp.push(w / b, b * c, ob);
    cp.push(b, w * c, b * c);
    cp.push(b, c, c);
    cp.push(c, 1, 1);
    return "";
  }
}

export class DepthToSpace extends Movement {
  plan(input: Tensor, output: Tensor): string {
    const b = blockSize(this);
    if (b < 1) return "block_size must be at least 1";
    if (input.rank != 4 || output.rank != 4) return "input and output must be 4-D (NHWC)";
    const n = input.dim(0), h = input.dim(1), w = input.dim(2), c = input.dim(3);
    if (c % (b * b) != 0) return "depth must be a multiple of block_size squared";
    const oc = c / (b * b);
    if (output.dim(0) != n || output.dim(1) != h * b || output.dim(2) != w * b || output.dim(3) != oc) return "output shape must be [N, H*b, W*b, C/(b*b)]";
    // Output order [n, h, bh, w, bw, c], read from input channel (bh*b + bw)*oc + c.
    const cp = this.copy;
    cp.push(n, h * w * c, h * b * w * b * oc);
    cp.push(h, w * c, b * w * b * oc);
    cp.push(b, b * oc, w * b * oc);
    cp.push(w, c, b * oc);
    cp.push(b, oc, oc);
    cp.push(oc, 1, 1);
    return "";
  }
}
