// A per-direction cue from a microphone array: how much of the sound comes from a direction,
// per hop and averaged over the last few hops. The firmware twin of the active-speaker app's
// host measurement (apps/active-speaker/train/direction-cue.ts hopSrp and faceCue), kept
// value for value so that the fitted fusion weights carry over.
//
// Per hop (each channel's packed spectrum of the same window, rfftF32): microphone 0's level
// against a tracked floor (falls at once, rises 0.1 dB a hop) says whether the hop is quiet;
// quiet hops teach microphone 0's noise per bin; each bin is weighted max(0, 1 - 2 N / P) (before
// any quiet hop: 0 on quiet hops, 1 otherwise); every pair's whitened cross-spectrum from bin kLo
// to kHi; and the steered response SRP(az) = sum over pairs of srpPairResponse at
// tau_ij = (p_j - p_i) . u(az) fs / c, at each asked azimuth and on a grid (the whole circle for a
// planar array, -90..90 for a line across the camera's view), whose mean and maximum normalise it.
// A direction's cue over the last `hops` hops is (sum SRP - sum mean) / (sum max - sum mean).
// The grid is evaluated once per distinct |lag| of each pair (a pair's lag at d + 180 degrees,
// or at -d for a line along y, is the negated lag at d; on the triangle's 5-degree grid many lags
// repeat): srpPairParts gives the response at +lag and -lag from one pass, the same sum.
// Positions are in the camera's frame (x forward, y left), mm, f32 x, y, z per microphone.
import { SPEED_OF_SOUND } from "./beamformer";
import { srpLearnNoise, srpNoiseWeights, srpWhitenedCross, srpPairResponse, srpPairParts } from "./srp-phat";

const NOISE_KEEP: f32 = 0.9;
const NOISE_OVER: f32 = 2;
const SPEECH_DB: f32 = 6;
const FLOOR_RISE_DB: f32 = 0.1;
const EPS: f32 = 1e-30;

export class SrpCue {
  readonly pairs: i32;
  readonly grid: i32;
  readonly bins: i32;
  private readonly pairI: StaticArray<i32>;
  private readonly pairJ: StaticArray<i32>;
  private readonly dx: StaticArray<f32>; // per pair, p_j - p_i in samples
  private readonly dy: StaticArray<f32>;
  private readonly gridLag: usize; // grid x pairs i32: 2 x index of the pair's distinct lag, + 1 when negated
  private readonly lagAt: StaticArray<i32>; // per pair, its first distinct lag in `lags` (pairs + 1 entries)
  private readonly lags: usize; // f32 distinct |lag| per pair, samples
  private readonly parts: usize; // per distinct lag A, B f32
  private readonly cross: usize; // pairs x bins complex f32
  private readonly noise: usize;
  private readonly weights: usize;
  private noiseHops: u32 = 0;
  floorDb: f32 = 0;
  /** This hop's grid mean and maximum, and the response at each asked azimuth (`at`). */
  mean: f32 = 0;
  max: f32 = 0;

  /** `positions`: mics x (x, y, z) f32 mm in the camera's frame. */
  constructor(readonly mics: i32, positions: usize, readonly n: i32, readonly kLo: i32, readonly kHi: i32, gridStepDeg: i32, sampleRate: f32) {
    const bins = kHi - kLo, pairs = mics * (mics - 1) / 2;
    const pairI = new StaticArray<i32>(pairs), pairJ = new StaticArray<i32>(pairs);
    const dx = new StaticArray<f32>(pairs), dy = new StaticArray<f32>(pairs);
    const perMm = sampleRate / <f32>(SPEED_OF_SOUND * 1000.0);
    let p = 0;
    for (let i = 0; i < mics; i++) {
      for (let j = i + 1; j < mics; j++) {
        pairI[p] = i; pairJ[p] = j;
        dx[p] = (load<f32>(positions + <usize>(j * 12)) - load<f32>(positions + <usize>(i * 12))) * perMm;
        dy[p] = (load<f32>(positions + <usize>(j * 12), 4) - load<f32>(positions + <usize>(i * 12), 4)) * perMm;
        p++;
      }
    }
    // A line across the view (every x the same) hears the front and the back alike: the front half.
    let line = true;
    for (let i = 1; i < mics; i++) if (Mathf.abs(load<f32>(positions + <usize>(i * 12)) - load<f32>(positions)) > 1e-3) line = false;
    const from = line ? -90 : -180, to = line ? 90 : 175;
    const grid = (to - from) / gridStepDeg + 1;
    // Per pair the distinct |lag| over the grid (within 1e-4 samples) and each direction's index and sign.
    const gridLag = heap.alloc(<usize>(max(1, grid * pairs) * 4));
    const lags = heap.alloc(<usize>(max(1, grid * pairs) * 4));
    const lagAt = new StaticArray<i32>(pairs + 1);
    let count = 0;
    for (let q = 0; q < pairs; q++) {
      lagAt[q] = count;
      for (let d = 0; d < grid; d++) {
        const rad = <f32>(from + d * gridStepDeg) * Mathf.PI / 180.0;
        const tau = dx[q] * Mathf.cos(rad) + dy[q] * Mathf.sin(rad);
        const mag = Mathf.abs(tau);
        let at = -1;
        for (let k = lagAt[q]; k < count; k++) if (Mathf.abs(load<f32>(lags + (<usize>k << 2)) - mag) < 1e-4) { at = k; break; }
        if (at < 0) { at = count++; store<f32>(lags + (<usize>at << 2), mag); }
        store<i32>(gridLag + (<usize>(d * pairs + q) << 2), ((at - lagAt[q]) << 1) | (tau < 0 ? 1 : 0));
      }
    }
    lagAt[pairs] = count;
    this.bins = bins;
    this.pairs = pairs;
    this.grid = grid;
    this.pairI = pairI; this.pairJ = pairJ;
    this.dx = dx; this.dy = dy;
    this.gridLag = gridLag;
    this.lags = lags;
    this.lagAt = lagAt;
    this.parts = heap.alloc(<usize>(max(1, count) * 8));
    this.cross = heap.alloc(<usize>(max(1, pairs) * bins * 8));
    this.noise = heap.alloc(<usize>(bins * 4));
    this.weights = heap.alloc(<usize>(bins * 4));
    memory.fill(this.noise, 0, <usize>(bins * 4));
  }

  /** Pair q's lag (samples) for a talker at `deg` (from the camera's axis, + left). */
  @inline private tau(q: i32, deg: f32): f32 {
    const rad = deg * Mathf.PI / 180.0;
    return this.dx[q] * Mathf.cos(rad) + this.dy[q] * Mathf.sin(rad);
  }

  /** One hop: `spectra` (mics x n f32, packed rfftF32 of the windowed channels) and microphone 0's
   *  windowed-out energy over the window (sum of squares of the raw samples). Afterwards `mean`,
   *  `max` and `response(deg)` are this hop's. */
  hop(spectra: usize, energy: f32): void {
    const level: f32 = 10.0 * Mathf.log10(energy / <f32>this.n + 1e-12);
    this.floorDb = level < this.floorDb ? level : this.floorDb + FLOOR_RISE_DB;
    const quiet = level < this.floorDb + SPEECH_DB;
    const first = this.noiseHops == 0;
    if (quiet) srpLearnNoise(spectra, this.noise, this.kLo, this.kHi, first, NOISE_KEEP);
    if (first) for (let b = 0; b < this.bins; b++) store<f32>(this.weights + (<usize>b << 2), quiet ? 0 : 1);
    else srpNoiseWeights(spectra, this.noise, this.weights, this.kLo, this.kHi, NOISE_OVER, EPS);
    if (quiet) this.noiseHops++;
    const stride = <usize>this.n << 2;
    for (let q = 0; q < this.pairs; q++) {
      srpWhitenedCross(spectra + <usize>this.pairI[q] * stride, spectra + <usize>this.pairJ[q] * stride, this.weights,
        this.cross + (<usize>(q * this.bins) << 3), this.kLo, this.kHi, 0, EPS);
    }
    for (let q = 0; q < this.pairs; q++) {
      const g = this.cross + (<usize>(q * this.bins) << 3);
      for (let k = this.lagAt[q]; k < this.lagAt[q + 1]; k++) {
        srpPairParts(g, load<f32>(this.lags + (<usize>k << 2)), this.n, this.kLo, this.bins, this.parts + (<usize>k << 3));
      }
    }
    let sum: f32 = 0, top: f32 = -Infinity;
    for (let d = 0; d < this.grid; d++) {
      let v: f32 = 0;
      for (let q = 0; q < this.pairs; q++) {
        const code = load<i32>(this.gridLag + (<usize>(d * this.pairs + q) << 2));
        const part = this.parts + (<usize>(this.lagAt[q] + (code >> 1)) << 3);
        // Response at +|lag|: A - B; at -|lag|: A + B.
        v += (code & 1) != 0 ? load<f32>(part) + load<f32>(part, 4) : load<f32>(part) - load<f32>(part, 4);
      }
      sum += v;
      if (v > top) top = v;
    }
    this.mean = sum / <f32>this.grid;
    this.max = top;
  }

  /** This hop's steered response toward `deg` (from the camera's axis, + left). */
  response(deg: f32): f32 {
    let v: f32 = 0;
    for (let q = 0; q < this.pairs; q++) v += srpPairResponse(this.cross + (<usize>(q * this.bins) << 3), this.tau(q, deg), this.n, this.kLo, this.bins);
    return v;
  }
}

/** A direction's cue from sums over the same hops of its response, the grid's mean and maximum. */
export function srpCueOf(response: f32, mean: f32, max: f32): f32 {
  return (response - mean) / (max - mean + 1e-9);
}
