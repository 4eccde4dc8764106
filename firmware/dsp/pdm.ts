// PDM to PCM decimator for boards without a PDM receiver (RT1060: the microphones' 1-bit
// streams arrive through a SAI as packed bytes and the firmware decimates them).
//
// Input contract (the microphone peripheral's): per channel a block of bytes; within a byte
// the earliest bit is bit 7; bit 1 = +full scale, 0 = -full scale. One decimator state per
// channel (the channels of a bank share its tables). PCM full scale (0 dBFS) is a pulse density of 75 % / 25 %, as the microphone model
// (emulator/peripherals/mic/sigma-delta.ts, FULL_SCALE = 0.5: a 1-bit loop is only stable well
// inside its rails, Schreier & Temes ch. 4) and the RT1170 / MCX N947 PDM receivers define it, so a
// tone of a given dBFS reads the same on every board; denser input saturates. Chain, for a ratio
// R (32, 64 or 128):
//   1. CIC of order 5 decimating by D = R / 4, computed as the FIR it is (its impulse response
//      is 5 boxcars of D convolved, K (D - 1) + 1 taps) with byte-wise lookup tables: for each
//      byte position p of the window and byte value v, table[p][v] = sum of the taps under that
//      byte, signed by its bits. One output = one table load + add per byte of the window
//      (20 for R = 128, 10 for R = 64), exact in int32 (gain D^5 <= 2^25).
//   2. Compensation low-pass FIR at 4 x fs_out, decimating by 4 (polyphase: only every 4th
//      output is computed): a Kaiser-windowed sinc (126 taps, beta 7, cutoff fs_out / 2)
//      convolved with [-a, 1 + 2a, -a] (a = 0.2286), which lifts the CIC droop of 0.86 dB at
//      7 kHz for 16 kHz out back to within 0.05 dB.
// Group delay: K (D - 1) / 2 input bits + (FIR_TAPS - 1) / 2 samples at 4 fs_out.
// Output: float32 (1.0 = full scale; up to 2.0 for an all-ones input) and/or int16 (x 32768, saturated).

const CIC_ORDER: i32 = 5;
const FIR_SINC_TAPS: i32 = 126;
export const PDM_FIR_TAPS: i32 = FIR_SINC_TAPS + 2;
const KAISER_BETA: f64 = 7.0;
const DROOP_A: f64 = 0.2286;
/** Bit-stream mean (in +-1 units) of a 0 dBFS peak: the microphone model's FULL_SCALE (75 % density). */
const PDM_FULL_SCALE: f64 = 0.5;

// A channel's state: header (i32 fields; H_TABLES points to the tables), its last CIC window of
// bytes, its FIR delay line. The tables (CIC lookup, 20 KB at R = 128, and FIR coefficients) depend
// only on R, so the channels of one array share them: a bank is its channels' states one after
// another, then one set of tables (3 microphones at R = 128: 24 KB, not 66 KB).
const H_RATIO: usize = 0;
const H_CIC_BYTES: usize = 4;
const H_STEP: usize = 8;
const H_FIR_POS: usize = 12;
const H_PHASE: usize = 16;
const H_TABLES: usize = 20;
const HEADER: usize = 32;

function cicBytesFor(ratio: i32): i32 {
  const d = ratio >> 2;
  const taps = CIC_ORDER * (d - 1) + 1;
  return ((taps + 15) >> 4) << 1; // whole bytes, an even number of them (the loop takes two at a time)
}

/** Bytes of one channel's own state at decimation `ratio` (the stride of a bank's channels). */
export function pdmChannelBytes(ratio: i32): i32 {
  return <i32>HEADER + ((cicBytesFor(ratio) + 3) & ~3) + PDM_FIR_TAPS * 2 * 4;
}

function tablesBytes(ratio: i32): i32 {
  return cicBytesFor(ratio) * 256 * 4 + PDM_FIR_TAPS * 4;
}

/** Bytes of a bank of `channels` decimators at `ratio` sharing one set of tables. */
export function pdmBankBytes(ratio: i32, channels: i32): i32 {
  return channels * pdmChannelBytes(ratio) + tablesBytes(ratio);
}

/** Bytes of state for one channel at decimation `ratio`, tables included (a bank of one). */
export function pdmStateBytes(ratio: i32): i32 {
  return pdmBankBytes(ratio, 1);
}

/** Channel `c`'s state in a bank at `ratio` (what pdmDecimate takes). */
export function pdmBankChannel(bank: usize, ratio: i32, c: i32): usize {
  return bank + <usize>(c * pdmChannelBytes(ratio));
}

@inline function cicTable(state: usize): usize { return <usize>load<u32>(state, H_TABLES); }
@inline function firCoefs(state: usize): usize { return cicTable(state) + (<usize>load<i32>(state, H_CIC_BYTES) << 10); }
@inline function history(state: usize): usize { return state + HEADER; }
@inline function delayLine(state: usize): usize { return history(state) + ((<usize>load<i32>(state, H_CIC_BYTES) + 3) & ~3); }

function besselI0(x: f64): f64 {
  let sum = 1.0, term = 1.0;
  const q = (x * x) / 4.0;
  for (let k = 1; k < 40; k++) {
    term *= q / (<f64>k * <f64>k);
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

/** Sets up one channel's decimator (tables, filter, cleared history) in pdmStateBytes(ratio). Returns 0, or -1 for an unsupported ratio. */
export function pdmInit(state: usize, ratio: i32): i32 {
  return pdmBankInit(state, ratio, 1);
}

/** Sets up a bank of `channels` decimators sharing one set of tables, in pdmBankBytes(ratio, channels). Returns 0, or -1 for an unsupported ratio. */
export function pdmBankInit(bank: usize, ratio: i32, channels: i32): i32 {
  if (ratio < 32 || ratio > 128 || ((ratio >> 2) & 7) != 0) return -1; // 32, 64, 128
  const d = ratio >> 2;
  const cb = cicBytesFor(ratio);
  const tables = bank + <usize>(channels * pdmChannelBytes(ratio));
  for (let c = 0; c < channels; c++) {
    const state = pdmBankChannel(bank, ratio, c);
    store<i32>(state, ratio, H_RATIO);
    store<i32>(state, cb, H_CIC_BYTES);
    store<i32>(state, d >> 3, H_STEP);
    store<u32>(state, <u32>tables, H_TABLES);
    pdmReset(state);
  }
  // CIC impulse response: boxcar of d convolved CIC_ORDER times, built as i32 at the start of the
  // lookup table's area (cb * 8 taps: inside its first row of 256 entries).
  const taps = cb * 8;
  const h = tables;
  memory.fill(h, 0, <usize>taps << 2);
  store<i32>(h, 1);
  let len = 1;
  for (let s = 0; s < CIC_ORDER; s++) {
    // running sum over d: h'[i] = sum_{j<d} h[i-j], computed from the top down in place.
    const newLen = len + d - 1;
    for (let i = newLen - 1; i >= 0; i--) {
      let acc = 0;
      for (let j = 0; j < d; j++) {
        const k = i - j;
        if (k >= 0 && k < len) acc += load<i32>(h + (<usize>k << 2));
      }
      store<i32>(h + (<usize>i << 2), acc);
    }
    len = newLen;
  }
  // Rows from the last to the first: only row 0 overlaps the impulse response, and its 8 taps are read before it is written.
  const table = tables;
  for (let p = cb - 1; p >= 0; p--) {
    const tap = table + (<usize>(p * 8) << 2);
    const t0 = load<i32>(tap), t1 = load<i32>(tap, 4), t2 = load<i32>(tap, 8), t3 = load<i32>(tap, 12);
    const t4 = load<i32>(tap, 16), t5 = load<i32>(tap, 20), t6 = load<i32>(tap, 24), t7 = load<i32>(tap, 28);
    for (let v = 0; v < 256; v++) {
      const acc = ((v & 0x80) != 0 ? t0 : -t0) + ((v & 0x40) != 0 ? t1 : -t1) + ((v & 0x20) != 0 ? t2 : -t2) + ((v & 0x10) != 0 ? t3 : -t3)
        + ((v & 0x08) != 0 ? t4 : -t4) + ((v & 0x04) != 0 ? t5 : -t5) + ((v & 0x02) != 0 ? t6 : -t6) + ((v & 0x01) != 0 ? t7 : -t7);
      store<i32>(table + (<usize>(p * 256 + v) << 2), acc);
    }
  }
  // Compensation FIR: Kaiser-windowed sinc (cutoff = fs_out / 2 at 4 fs_out, i.e. 0.125 of its rate) * [-a, 1 + 2a, -a].
  const coefs = firCoefs(bank); // channel 0's header points at the tables
  memory.fill(coefs, 0, <usize>PDM_FIR_TAPS << 2);
  const fc = 0.125;
  const mid = <f64>(FIR_SINC_TAPS - 1) / 2.0;
  const i0b = besselI0(KAISER_BETA);
  let sum: f64 = 0;
  for (let i = 0; i < FIR_SINC_TAPS; i++) {
    const t = <f64>i - mid;
    const r = t / mid;
    const w = besselI0(KAISER_BETA * Math.sqrt(Math.max(0.0, 1.0 - r * r))) / i0b;
    const x = 2.0 * Math.PI * fc * t;
    const s = (Math.abs(x) < 1e-12 ? 1.0 : Math.sin(x) / x) * w;
    sum += s;
    // convolve with [-a, 1 + 2a, -a]: tap i contributes to i, i + 1, i + 2.
    const p = coefs + (<usize>i << 2);
    store<f32>(p, load<f32>(p) + <f32>(-DROOP_A * s));
    store<f32>(p, load<f32>(p, 4) + <f32>((1.0 + 2.0 * DROOP_A) * s), 4);
    store<f32>(p, load<f32>(p, 8) + <f32>(-DROOP_A * s), 8);
  }
  // Normalise: DC gain 1 / PDM_FULL_SCALE (an all-ones input, whose CIC output is d^5, reads 2.0).
  const norm = (1.0 / PDM_FULL_SCALE) / (sum * Math.pow(<f64>d, <f64>CIC_ORDER));
  for (let i = 0; i < PDM_FIR_TAPS; i++) {
    const p = coefs + (<usize>i << 2);
    store<f32>(p, <f32>(<f64>load<f32>(p) * norm));
  }
  // The filter is symmetric; make it exactly so, since the decimator folds it (one multiply per pair of taps).
  for (let i = 0; i < PDM_FIR_TAPS / 2; i++) store<f32>(coefs + (<usize>(PDM_FIR_TAPS - 1 - i) << 2), load<f32>(coefs + (<usize>i << 2)));
  return 0;
}

/** Clears the history (as after power-up: the previous bits count as silence, alternating 1010...). */
export function pdmReset(state: usize): void {
  memory.fill(history(state), 0xaa, <usize>load<i32>(state, H_CIC_BYTES));
  memory.fill(delayLine(state), 0, <usize>PDM_FIR_TAPS * 8);
  store<i32>(state, 0, H_FIR_POS);
  store<i32>(state, 0, H_PHASE);
}

/**
 * Decimates `nBytes` of one channel's packed bits at `src` (a multiple of R / 32 bytes, at least
 * the CIC window, 20 bytes at R = 128). Writes nBytes * 8 / R samples to `dstF32` and/or `dstI16`
 * (either may be 0) and returns how many.
 */
export function pdmDecimate(state: usize, src: usize, nBytes: i32, dstF32: usize, dstI16: usize): i32 {
  const cb = load<i32>(state, H_CIC_BYTES);
  const step = load<i32>(state, H_STEP);
  const table = cicTable(state), coefs = firCoefs(state), hist = history(state), line = delayLine(state);
  let pos = load<i32>(state, H_FIR_POS);
  let phase = load<i32>(state, H_PHASE);
  let produced = 0;
  for (let end = step; end <= nBytes; end += step) {
    // CIC output for the window of cb bytes ending just before `end`.
    const first = end - cb;
    let acc: i32 = 0;
    if (first >= 0) {
      // Two bytes per iteration, two accumulators.
      let t = table;
      let b = src + <usize>first;
      const stop = b + <usize>cb;
      let acc2: i32 = 0;
      while (b < stop) {
        acc += load<i32>(t + (<usize>load<u8>(b) << 2));
        acc2 += load<i32>(t + (<usize>load<u8>(b, 1) << 2), 1024);
        t += 2048;
        b += 2;
      }
      acc += acc2;
    } else {
      for (let p = 0; p < cb; p++) {
        const i = first + p;
        const byte = i < 0 ? load<u8>(hist + <usize>(cb + i)) : load<u8>(src + <usize>i);
        acc += load<i32>(table + (<usize>(p * 256 + <i32>byte) << 2));
      }
    }
    // Into the FIR delay line (written twice so the newest PDM_FIR_TAPS are contiguous).
    const v = <f32>acc;
    store<f32>(line + (<usize>pos << 2), v);
    store<f32>(line + (<usize>(pos + PDM_FIR_TAPS) << 2), v);
    pos++;
    if (pos == PDM_FIR_TAPS) pos = 0;
    phase++;
    if (phase == 4) {
      phase = 0;
      // Symmetric FIR, folded: sum over pairs c[k] (x[k] + x[T-1-k]), four pairs per iteration.
      let lo = line + (<usize>pos << 2); // oldest first
      let hi = lo + (<usize>(PDM_FIR_TAPS - 1) << 2);
      let c = coefs;
      const stop = coefs + (<usize>(PDM_FIR_TAPS >> 1) << 2);
      let y0: f32 = 0, y1: f32 = 0;
      while (c < stop) {
        y0 += load<f32>(c) * (load<f32>(lo) + load<f32>(hi));
        y1 += load<f32>(c, 4) * (load<f32>(lo, 4) + load<f32>(hi - 4));
        y0 += load<f32>(c, 8) * (load<f32>(lo, 8) + load<f32>(hi - 8));
        y1 += load<f32>(c, 12) * (load<f32>(lo, 12) + load<f32>(hi - 12));
        c += 16; lo += 16; hi -= 16;
      }
      const y = y0 + y1;
      if (dstF32) store<f32>(dstF32 + (<usize>produced << 2), y);
      if (dstI16) {
        let q = <i32>nearest<f32>(y * 32768.0);
        q = q > 32767 ? 32767 : q < -32768 ? -32768 : q;
        store<i16>(dstI16 + (<usize>produced << 1), <i16>q);
      }
      produced++;
    }
  }
  memory.copy(hist, src + <usize>(nBytes - cb), <usize>cb);
  store<i32>(state, pos, H_FIR_POS);
  store<i32>(state, phase, H_PHASE);
  return produced;
}
