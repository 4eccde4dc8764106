// The one loop behind the data-movement kernels (TRANSPOSE, SLICE, STRIDED_SLICE, SPLIT,
// PACK, UNPACK, SPACE_TO_DEPTH, DEPTH_TO_SPACE): visit an index space of up to 6 dimensions
// in order, copying one element from a strided source to a strided destination. Strides are
// in elements and may be negative (a reversed STRIDED_SLICE); a kernel works out its index
// space and strides once in prepare.
import { Tensor } from "../tensor";

export const MAX_COPY_DIMS: i32 = 6;

/** A prepared copy: dims of the index space and the element strides of source and destination. */
export class StridedCopy {
  dims: StaticArray<i32> = new StaticArray<i32>(MAX_COPY_DIMS);
  src: StaticArray<i32> = new StaticArray<i32>(MAX_COPY_DIMS);
  dst: StaticArray<i32> = new StaticArray<i32>(MAX_COPY_DIMS);
  index: StaticArray<i32> = new StaticArray<i32>(MAX_COPY_DIMS);
  rank: i32 = 0;
  /** Element offsets of the first element in source and destination. */
  srcBase: i32 = 0;
  dstBase: i32 = 0;
  elem: i32 = 1;
  count: i32 = 0;

  /** Adds dimension (outermost first) of `n` elements with the given strides. */
  push(n: i32, srcStride: i32, dstStride: i32): void {
    const r = this.rank;
    this.dims[r] = n;
    this.src[r] = srcStride;
    this.dst[r] = dstStride;
    this.rank = r + 1;
  }

  run(dstData: usize, srcData: usize): void {
    const rank = this.rank;
    let total = 1;
    for (let d = 0; d < rank; d++) total *= unchecked(this.dims[d]);
    if (total == 0) return;
    const elem = this.elem;
    const dims = this.dims;
    const ss = this.src;
    const ds = this.dst;
    const index = this.index;
    for (let d = 0; d < rank; d++) unchecked(index[d] = 0);
    let s = this.srcBase;
    let o = this.dstBase;
    const inner = rank > 0 ? unchecked(dims[rank - 1]) : 1;
    const sIn = rank > 0 ? unchecked(ss[rank - 1]) : 0;
    const dIn = rank > 0 ? unchecked(ds[rank - 1]) : 0;
    while (true) {
      // The innermost dimension as a run.
      copyRun(dstData, o, dIn, srcData, s, sIn, inner, elem);
      let d = rank - 2;
      while (d >= 0) {
        const v = unchecked(index[d]) + 1;
        s += unchecked(ss[d]);
        o += unchecked(ds[d]);
        if (v < unchecked(dims[d])) { unchecked(index[d] = v); break; }
        s -= v * unchecked(ss[d]);
        o -= v * unchecked(ds[d]);
        unchecked(index[d] = 0);
        d--;
      }
      if (d < 0) return;
    }
  }
}

function copyRun(dst: usize, o: i32, dStep: i32, src: usize, s: i32, sStep: i32, n: i32, elem: i32): void {
  if (dStep == 1 && sStep == 1) { memory.copy(dst + <usize>(o * elem), src + <usize>(s * elem), <usize>(n * elem)); return; }
  if (elem == 1) {
    for (let i = 0; i < n; i++) store<u8>(dst + <usize>(o + i * dStep), load<u8>(src + <usize>(s + i * sStep)));
  } else if (elem == 4) {
    for (let i = 0; i < n; i++) store<u32>(dst + (<usize>(o + i * dStep) << 2), load<u32>(src + (<usize>(s + i * sStep) << 2)));
  } else {
    for (let i = 0; i < n; i++) memory.copy(dst + <usize>((o + i * dStep) * elem), src + <usize>((s + i * sStep) * elem), <usize>elem);
  }
}

/** Element strides of a tensor's dimensions (row-major). */
export function stridesOf(t: Tensor): StaticArray<i32> {
  const r = t.rank;
  const s = new StaticArray<i32>(max(r, 1));
  let k = 1;
  for (let d = r - 1; d >= 0; d--) { s[d] = k; k *= t.dim(d); }
  if (r == 0) s[0] = 1;
  return s;
}

/** Reads element i of a constant int32 or int64 tensor as i32. */
export function constInt(t: Tensor, i: i32): i32 {
  if (t.type == 4) return <i32>load<i64>(t.data + (<usize>i << 3));
  return load<i32>(t.data + (<usize>i << 2));
}

/** "" when t is a constant int32/int64 tensor of at least n elements, else why not. */
export function checkConstInts(t: Tensor, n: i32, what: string): string {
  if (t.type != 2 && t.type != 4) return what + " must be int32 or int64";
  if (!t.isConstant || t.data == 0) return what + " must be constant";
  if (t.elements < n) return what + " needs " + n.toString() + " values";
  return "";
}
