// What a layer keeps of its per-channel requantisation for the whole run (ChannelQuant: TFLM's
// multiplier and shift per channel, the bias with the input zero point folded in), and how it
// expands that into the 48-byte records (requant.ts) its inner loops read.
import { Tensor } from "../../tensor";
import { biasI32 } from "./weights";
import { activationMax, activationMin, quantizeMultiplier, quantizeScaleRatios, quantizedMultiplierResult, quantizedShiftResult } from "../../quant";
import { Q_BYTES, writeRecord } from "./requant";


// What a layer keeps for the whole run, per channel: the Q31 multiplier (TFLM's
// per_channel_output_multiplier) and the bias with the input zero point folded in
// (bias - inZp * sum(w), what CMSIS-NN keeps as kernel sums), with the shift (TFLM's
// per_channel_output_shift, -31..30) packed in the bias word's low byte when every channel's
// folded bias fits in 24 bits: 8 bytes, TFLM's two int32 arrays' size; otherwise the shifts
// follow as one byte per channel (9 bytes). In the arena's tail. Before the layer runs,
// expand() writes its 48-byte records into the record area of the arena's head, which every
// layer shares like the scratch.
const P_MULT: usize = 0; // i32: Q31 multiplier (0: the output is the zero point, clamped)
const P_BIAS: usize = 4; // i32: folded bias << 8 | shift byte (packed), or the folded bias
const P_WORDS_BYTES: i32 = 8;
/** Persistent bytes per channel: two words (the shift packed in the second). */
export const PERSISTENT_CHANNEL_BYTES: i32 = P_WORDS_BYTES;
const PACKED_BIAS_MIN: i32 = -(1 << 23), PACKED_BIAS_MAX: i32 = (1 << 23) - 1;
// A layer whose kernel subtracts the input zero point as it widens its input (FULLY_CONNECTED
// and 1x1 CONV_2D, as TFLM's reference kernels add input_offset) has no folded bias: expand()
// reads its bias in place from the model, and it keeps only the multiplier and the shift byte
// per channel (5 B), or nothing per channel with per-tensor weights.
// A layer whose weights have one scale (per-tensor) has one multiplier and shift for every
// channel: it keeps them once, in an 8-byte header (U_MULT, U_SHIFT), then only the folded
// bias per channel (4 B, what CMSIS-NN keeps as kernel sums), where TFLM's reference kernels
// keep one multiplier for such a layer (fully_connected_common.cc).
const U_MULT: usize = 0;
const U_SHIFT: usize = 4;
const U_HEADER_BYTES: i32 = 8;
/** Persistent bytes per channel of a per-tensor layer. */
export const UNIFORM_CHANNEL_BYTES: i32 = 4;
/** A filter without scales reads as scale 0 (its multiplier is 0, as TFLite's). */
const NO_SCALE: usize = memory.data(4, 4);
const ZERO_WORD: usize = memory.data(4, 4);
/** Multiplier bytes per channel of an in-place layer with per-channel weights (+ a shift byte). */
const IN_PLACE_CHANNEL_BYTES: i32 = 4;

/** One layer's requantisation state, its per-channel data right after its fields in the same
 *  heap block (unmanaged: no object header in the arena's tail). */
@unmanaged
export class ChannelQuant {
  /** Where expand() writes the records: the layer's scratch area in the arena's head, set by
   *  the interpreter once the arena is placed (valid while this layer runs). */
  records: usize;
  /** One shift byte per channel while the multipliers are set; then 0 where foldBiases packed
   *  them into the bias words (the "packed" form), else kept (with per-tensor weights: 0). */
  private shifts: usize;
  private bias: Tensor | null;
  // Small fields as small as their ranges (an int8 output's clamp bounds and zero point, at
  // most 65,535 channels: checkFilterQuant), so that with the per-channel data the block is a
  // 16-byte step smaller (the object lives in the arena's tail): read through the getters below.
  private channelCount: u16;
  private aminByte: i8;
  private amaxByte: i8;
  private zpByte: i8;
  /** Every channel takes the ReLU form (set with the multipliers). */
  folded: bool;
  /** Per-tensor weights: one multiplier for every channel (see U_MULT). */
  uniform: bool;
  /** The kernel applies the input zero point itself: the bias is read in place (see above). */
  inPlace: bool;

  // @ts-ignore: decorator
  @inline get channels(): i32 {
    return <i32>this.channelCount;
  }

  // @ts-ignore: decorator
  @inline get amin(): i32 {
    return <i32>this.aminByte;
  }

  // @ts-ignore: decorator
  @inline get amax(): i32 {
    return <i32>this.amaxByte;
  }

  // @ts-ignore: decorator
  @inline get zp(): i32 {
    return <i32>this.zpByte;
  }

  /** The shift bytes were packed into the bias words (per-channel weights, bias kept). */
  // @ts-ignore: decorator
  @inline private get packed(): bool {
    return this.shifts == 0;
  }

  /** The ReLU form for the largest right shift `maxE` of any channel (it needs maxE <= 23). */
  private pickForm(maxE: i32): void {
    this.folded = this.amin == this.zp && maxE <= 23;
  }

  /** Persistent data, right after these fields: two words per channel; then, unless packed, a
   *  shift byte per channel. */
  // @ts-ignore: decorator
  @inline private get data(): usize {
    return changetype<usize>(this) + offsetof<ChannelQuant>();
  }

  static create(channels: i32, act: i32, outScale: f32, outZp: i32, uniform: bool = false, inPlace: bool = false, bias: Tensor | null = null): ChannelQuant {
    const perChannel = inPlace ? IN_PLACE_CHANNEL_BYTES : P_WORDS_BYTES;
    const perTensor = inPlace ? 0 : UNIFORM_CHANNEL_BYTES;
    const fields = offsetof<ChannelQuant>();
    const dataBytes = uniform ? U_HEADER_BYTES + channels * perTensor : channels * perChannel;
    const at = heap.alloc(fields + <usize>dataBytes);
    const q = changetype<ChannelQuant>(at);
    q.records = 0;
    q.channelCount = <u16>channels;
    q.bias = bias;
    q.folded = false;
    q.uniform = uniform;
    q.inPlace = inPlace;
    // Allocated last, so that finish() can give it back to the bump allocator.
    q.shifts = uniform ? 0 : heap.alloc(<usize>max(channels, 1));
    q.aminByte = <i8>activationMin(act, outScale, outZp);
    q.amaxByte = <i8>activationMax(act, outScale, outZp);
    q.zpByte = <i8>outZp;
    return q;
  }

  /** The one multiplier and shift of a layer with per-tensor weights (uniform), from its real
   *  value. */
  setMultiplier(real: f64): void {
    quantizeMultiplier(real);
    store<i32>(this.data, quantizedMultiplierResult, U_MULT);
    store<i8>(this.data, <i8>quantizedShiftResult, U_SHIFT);
    this.pickForm(max(0, -quantizedShiftResult));
  }

  /** Every channel's multiplier and shift from the layer's scales, as TFLite's
   *  PopulateConvolutionQuantizationParams (inScale * filterScale / outScale in double), found
   *  in integers in one pass (quantizeScaleRatios); the first only with per-tensor weights. */
  setMultipliers(inScale: f32, filter: Tensor, outScale: f32): void {
    const scales = filter.scales != 0 ? filter.scales : NO_SCALE;
    if (this.uniform) {
      this.pickForm(quantizeScaleRatios(inScale, scales, 1, outScale, this.data + U_MULT, 0, this.data + U_SHIFT));
      return;
    }
    const stride = this.inPlace ? IN_PLACE_CHANNEL_BYTES : P_WORDS_BYTES;
    this.pickForm(quantizeScaleRatios(inScale, scales, this.channels, outScale, this.data + P_MULT, stride, this.shifts));
  }

  /** Every channel's bias with the input zero point folded in, bias - inZp * sums[c] (`sums`:
   *  an i32 per channel, the sums of its weights; 0 for none), for a layer that keeps it (every
   *  such layer calls this, after setMultipliers). With per-channel weights each word is written
   *  with the channel's shift packed in its low byte (one pass); if a folded bias does not fit in
   *  24 bits, a second pass writes them plainly and the shifts stay in their own bytes. */
  foldBiases(bias: Tensor | null, sums: usize, inZp: i32): void {
    if (this.inPlace) return;
    const n = this.channels;
    // An absent bias or sum reads a zero word with step 0 (no test in the loop).
    const biasStep: usize = bias !== null ? 4 : 0, sumStep: usize = sums != 0 ? 4 : 0;
    const b0 = bias !== null ? bias.data : ZERO_WORD, s0 = sums != 0 ? sums : ZERO_WORD;
    if (this.uniform) {
      let b = b0, s = s0, at = this.data + <usize>U_HEADER_BYTES;
      for (let c = 0; c < n; c++) {
        store<i32>(at, load<i32>(b) - inZp * load<i32>(s));
        b += biasStep;
        s += sumStep;
        at += <usize>UNIFORM_CHANNEL_BYTES;
      }
      return;
    }
    let b = b0, s = s0, at = this.data + P_BIAS, shift = this.shifts;
    let lo = 0, hi = 0;
    for (let c = 0; c < n; c++) {
      const folded = load<i32>(b) - inZp * load<i32>(s);
      store<i32>(at, (folded << 8) | <i32>load<u8>(shift));
      lo = min(lo, folded);
      hi = max(hi, folded);
      b += biasStep;
      s += sumStep;
      at += <usize>P_WORDS_BYTES;
      shift++;
    }
    if (lo >= PACKED_BIAS_MIN && hi <= PACKED_BIAS_MAX) {
      // Packed: the shift bytes' block is given back by finish() (sums may still follow it on
      // the heap); `records` holds it until then (the interpreter sets records after prepare).
      this.records = this.shifts;
      this.shifts = 0;
      return;
    }
    b = b0; s = s0; at = this.data + P_BIAS;
    for (let c = 0; c < n; c++) {
      store<i32>(at, load<i32>(b) - inZp * load<i32>(s));
      b += biasStep;
      s += sumStep;
      at += <usize>P_WORDS_BYTES;
    }
  }

  /** After the multipliers and biases: gives the shift bytes back where foldBiases packed them
   *  into the bias words (else they stay, after the per-channel words' block). */
  finish(): void {
    if (this.records != 0) heap.free(this.records);
    this.records = 0;
  }

  /** Channel c's Q31 multiplier and shift as kept (for a kernel that reads them in place of
   *  the expanded records): the layer's one pair with per-tensor weights. */
  keptMultiplier(c: i32): i32 {
    if (this.uniform) return load<i32>(this.data, U_MULT);
    return load<i32>(this.data + <usize>(c * (this.inPlace ? IN_PLACE_CHANNEL_BYTES : P_WORDS_BYTES)));
  }

  /** Channel c's folded bias as kept (not for a layer that reads its bias in place). */
  keptBias(c: i32): i32 {
    if (this.uniform) return load<i32>(this.data + <usize>(U_HEADER_BYTES + c * UNIFORM_CHANNEL_BYTES));
    const word = load<i32>(this.data + <usize>(c * P_WORDS_BYTES), P_BIAS);
    return this.packed ? word >> 8 : word;
  }

  keptShift(c: i32): i32 {
    if (this.uniform) return <i32>load<i8>(this.data, U_SHIFT);
    if (this.packed) return (load<i32>(this.data + <usize>(c * P_WORDS_BYTES), P_BIAS) << 24) >> 24;
    return <i32>load<i8>(this.shifts + <usize>c);
  }

  /** Channel c's kept multiplier and shift, inlined (keptMultiplier, keptShift): the paths
   *  that read no records take them once per channel per block of rows. */
  // @ts-ignore: decorator
  @inline multiplierOf(c: i32): i32 {
    if (this.uniform) return load<i32>(this.data, U_MULT);
    return load<i32>(this.data + <usize>(c * (this.inPlace ? IN_PLACE_CHANNEL_BYTES : P_WORDS_BYTES)));
  }

  // @ts-ignore: decorator
  @inline shiftOf(c: i32): i32 {
    if (this.uniform) return <i32>load<i8>(this.data, U_SHIFT);
    if (this.packed) return (load<i32>(this.data + <usize>(c * P_WORDS_BYTES), P_BIAS) << 24) >> 24;
    return <i32>load<i8>(this.shifts + <usize>c);
  }

  /** Channel c's folded bias as kept (keptBias, inlined; not for an in-place layer). */
  // @ts-ignore: decorator
  @inline biasOf(c: i32): i32 {
    if (this.uniform) return load<i32>(this.data + <usize>(U_HEADER_BYTES + c * UNIFORM_CHANNEL_BYTES));
    const word = load<i32>(this.data + <usize>(c * P_WORDS_BYTES), P_BIAS);
    return this.packed ? word >> 8 : word;
  }

  /** Writes every channel's 48-byte record at `records` (channels * Q_BYTES long, in the
   *  layer's scratch area: set once the arena is placed) for eval. */
  expand(): void {
    const area = this.records;
    const n = this.channels, folded = this.folded, zp = this.zp;
    if (this.inPlace) { this.expandInPlace(area); return; }
    if (this.uniform) {
      const d = this.data;
      const mult = load<i32>(d, U_MULT), shift = <i32>load<i8>(d, U_SHIFT);
      let b = d + <usize>U_HEADER_BYTES, r = area;
      const stop = b + <usize>(n * UNIFORM_CHANNEL_BYTES);
      while (b < stop) {
        writeRecord(r, mult, shift, zp, load<i32>(b), folded);
        b += <usize>UNIFORM_CHANNEL_BYTES;
        r += <usize>Q_BYTES;
      }
      return;
    }
    let p = this.data, r = area;
    const end = p + <usize>(n * P_WORDS_BYTES);
    if (this.packed) {
      while (p < end) {
        const word = load<i32>(p, P_BIAS);
        writeRecord(r, load<i32>(p, P_MULT), (word << 24) >> 24, zp, word >> 8, folded);
        p += <usize>P_WORDS_BYTES;
        r += <usize>Q_BYTES;
      }
      return;
    }
    let shifts = this.shifts;
    while (p < end) {
      writeRecord(r, load<i32>(p, P_MULT), <i32>load<i8>(shifts), zp, load<i32>(p, P_BIAS), folded);
      p += <usize>P_WORDS_BYTES;
      r += <usize>Q_BYTES;
      shifts++;
    }
  }

  /** expand() for an in-place layer: the bias from the model, the multiplier kept here. */
  private expandInPlace(area: usize): void {
    const n = this.channels, folded = this.folded, zp = this.zp, bias = this.bias;
    const d = this.data;
    let r = area;
    if (this.uniform) {
      const mult = load<i32>(d, U_MULT), shift = <i32>load<i8>(d, U_SHIFT);
      for (let c = 0; c < n; c++) { writeRecord(r, mult, shift, zp, biasI32(bias, c), folded); r += <usize>Q_BYTES; }
      return;
    }
    for (let c = 0; c < n; c++) {
      writeRecord(r, load<i32>(d + <usize>(c * IN_PLACE_CHANNEL_BYTES)), <i32>load<i8>(this.shifts + <usize>c), zp, biasI32(bias, c), folded);
      r += <usize>Q_BYTES;
    }
  }
}
