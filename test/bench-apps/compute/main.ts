// Benchmark workload (test/bench): a fixed, deterministic compute load over static buffers.
//   matmul  a two-layer int8 perceptron: X[B][K1] x W1 -> H[B][N1] -> x W2 -> Z[B][N2],
//           int32 accumulators requantised to int8 (weights stored transposed, [out][in])
//   fir     two cascaded Q15 FIR filters over NS int16 samples, saturating
//   crc32   table-driven CRC-32 (IEEE) over all buffers
// The three phases run ROUNDS times, each timed with clock.cycles(). main prints one line per
// phase and a checksum line, then returns: the run ends by itself. The checksum depends only
// on the data, so every board and both metered and unmetered builds must print the same one.
import * as clock from "../../../hal/clock";
import * as console from "../../../hal/console";
import { TextBuffer } from "../../../firmware/text";

const B: i32 = 32;    // batch rows
const K1: i32 = 256;  // inputs
const N1: i32 = 128;  // hidden units
const N2: i32 = 64;   // outputs
const TAPS: i32 = 32;
const NS: i32 = 8192;
const ROUNDS: i32 = 48;

const X = memory.data(B * K1, 16);          // int8 [B][K1] input
const W1 = memory.data(N1 * K1, 16);        // int8 [N1][K1]
const W2 = memory.data(N2 * N1, 16);        // int8 [N2][N1]
const H = memory.data(B * N1, 16);          // int8 [B][N1] hidden activations
const Z = memory.data(B * N2, 16);          // int8 [B][N2] outputs
const ACC = memory.data(B * N1 * 4, 16);    // int32 accumulators of the last layer run
const S0 = memory.data(NS * 2, 16);         // int16 [NS] input samples
const S1 = memory.data(NS * 2, 16);         // int16 [NS] after stage 1
const S2 = memory.data(NS * 2, 16);         // int16 [NS] after stage 2
const HLP = memory.data(TAPS * 2, 16);      // int16 [TAPS] Q15 low-pass kernel
const HBP = memory.data(TAPS * 2, 16);      // int16 [TAPS] Q15 band-pass-ish kernel
const CRC_TABLE = memory.data(256 * 4, 16); // u32 [256]

const line = new TextBuffer(160);

let seed: u32 = 0x2545f491;
function rand(): u32 {
  // xorshift32: deterministic test data
  seed ^= seed << 13;
  seed ^= seed >> 17;
  seed ^= seed << 5;
  return seed;
}

function init(): void {
  for (let i = 0; i < B * K1; i++) store<i8>(X + i, <i8>rand());
  for (let i = 0; i < N1 * K1; i++) store<i8>(W1 + i, <i8>rand());
  for (let i = 0; i < N2 * N1; i++) store<i8>(W2 + i, <i8>rand());
  for (let i = 0; i < NS; i++) store<i16>(S0 + (i << 1), <i16>((rand() >> 20) - 2048));
  for (let t = 0; t < TAPS; t++) {
    const w = t < TAPS / 2 ? t + 1 : TAPS - t; // triangle window, gain about 0.9
    store<i16>(HLP + (t << 1), <i16>(w * 115));
    store<i16>(HBP + (t << 1), <i16>(t & 1 ? -w * 100 : w * 100));
  }
  for (let n: u32 = 0; n < 256; n++) {
    let c = n;
    for (let b = 0; b < 8; b++) c = c & 1 ? 0xedb88320 ^ (c >> 1) : c >> 1;
    store<u32>(CRC_TABLE + (n << 2), c);
  }
}

/**
 * One int8 fully connected layer: out[r][o] = sat8((sum_i x[r][i] * w[o][i]) * mult >> 16),
 * rows x outs dot products of length ins. Keeps the raw accumulators in ACC.
 */
function dense(x: usize, w: usize, out: usize, rows: i32, ins: i32, outs: i32, mult: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + r * ins;
    for (let o = 0; o < outs; o++) {
      const wo = w + o * ins;
      let acc: i32 = 0;
      for (let i = 0; i < ins; i++) acc += <i32>load<i8>(xr + i) * <i32>load<i8>(wo + i);
      store<i32>(ACC + ((r * outs + o) << 2), acc);
      let q = (acc * mult) >> 16;
      q = q > 127 ? 127 : q < -128 ? -128 : q;
      store<i8>(out + r * outs + o, <i8>q);
    }
  }
}

/** y[n] = sat16((sum_t h[t] * x[n - t]) >> 15) for n >= TAPS - 1 (the first TAPS - 1 stay). */
function fir(x: usize, h: usize, y: usize): void {
  for (let n = TAPS - 1; n < NS; n++) {
    let acc: i32 = 0;
    const xn = x + (n << 1);
    for (let t = 0; t < TAPS; t++) acc += <i32>load<i16>(h + (t << 1)) * <i32>load<i16>(xn - (t << 1));
    let v = acc >> 15;
    v = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
    store<i16>(y + (n << 1), <i16>v);
  }
}

function crc32(crc: u32, p: usize, len: i32): u32 {
  crc = ~crc;
  for (let i = 0; i < len; i++) {
    crc = load<u32>(CRC_TABLE + (((crc ^ <u32>load<u8>(p + i)) & 0xff) << 2)) ^ (crc >> 8);
  }
  return ~crc;
}

function crcAll(): u32 {
  let c = crc32(0, X, B * K1);
  c = crc32(c, H, B * N1);
  c = crc32(c, Z, B * N2);
  c = crc32(c, ACC, B * N1 * 4);
  c = crc32(c, S1, NS * 2);
  return crc32(c, S2, NS * 2);
}

function say(): void {
  line.byte(0x0a);
  console.writeBytes(line.base, line.length);
  line.clear();
}

function hex(v: u32): void {
  line.str("0x");
  for (let s = 28; s >= 0; s -= 4) {
    const d = (v >> <u32>s) & 0xf;
    line.byte(d < 10 ? 0x30 + d : 0x57 + d);
  }
}

function matmulPhase(): void {
  dense(X, W1, H, B, K1, N1, 40);
  dense(H, W2, Z, B, N1, N2, 60);
}

function firPhase(): void {
  fir(S0, HLP, S1);
  fir(S1, HBP, S2);
}

let check: u32 = 0;
function crcPhase(): void {
  check = crcAll() ^ (check * 31);
}

// The phases are called through a table (call_indirect with a run-time index): the optimizer
// cannot inline them into main, so each is a function the engine can tier up after a call or
// two, like an inference kernel called per frame. A hot loop left in main would never leave
// the baseline compiler (no on-stack replacement for wasm in V8).
const PHASES: StaticArray<() => void> = [matmulPhase, firPhase, crcPhase];

export function main(): void {
  init();
  const spent = new StaticArray<u64>(PHASES.length);
  for (let r = 0; r < ROUNDS; r++) {
    for (let p = 0; p < PHASES.length; p++) {
      const t = clock.cycles();
      PHASES[p]();
      spent[p] += clock.cycles() - t;
    }
    // Feed the next round from this one's outputs, so every round computes something new.
    store<i8>(X + r, load<i8>(Z + r));
    store<i16>(S0 + (r << 1), load<i16>(S2 + ((NS - 1 - r) << 1)));
  }
  const macs = <u64>B * <u64>(K1 * N1 + N1 * N2) * <u64>ROUNDS;
  const firMacs = <u64>(2 * (NS - TAPS + 1) * TAPS) * <u64>ROUNDS;
  const crcBytes = <u64>(B * K1 + B * N1 + B * N2 + B * N1 * 4 + NS * 4) * <u64>ROUNDS;
  line.str("matmul macs=").uint(macs).str(" cycles=").uint(spent[0]); say();
  line.str("fir macs=").uint(firMacs).str(" cycles=").uint(spent[1]); say();
  line.str("crc32 bytes=").uint(crcBytes).str(" cycles=").uint(spent[2]); say();
  line.str("checksum "); hex(check); say();
}
