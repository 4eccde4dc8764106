// Direction of arrival by SRP-PHAT over every microphone pair, with the cross-spectra averaged
// over the talker's frames. Per 32 ms frame (512 samples, Hann) of the raw microphones that is
// loud enough to hold speech: each channel's spectrum, each pair's phase-transformed
// cross-spectrum G_ij = X_i conj(X_j) / |X_i X_j| in 300 Hz .. 4 kHz, averaged over speech
// frames (forgetting factor KEEP). Then each pair's correlation r_ij(tau) on a 0.1-sample grid
// of its physically possible lags, and the azimuth u (unit vector in the array's x-y plane)
// that maximises sum_ij r_ij((p_j - p_i) . u * fs / c), on a 1-degree grid refined by a parabola.
// Why not one GCC-PHAT peak per frame and pair: in a reverberant room a single 32 ms frame's
// peak often belongs to a reflection (the first version read 38..139 degrees for a talker at
// 60); averaging the whitened cross-spectra over the word keeps the direct path, which is the
// only component common to all frames; bins near the noise floor are weighted down (below);
// and searching the angle over all pairs at once uses
// every pair's whole correlation instead of its argmax.
// On a line of microphones (RT1170's two, linear4-35mm) only the component along the line is
// known: the talker is taken on the +90 degree side of the line, as the first version did.
// Confidence: how much the map's peak stands out, (peak - best outside +-SIDE_DEG) / (peak -
// lowest), 0..1, smoothed over estimates. A talker in the room gives one peak; a mono file
// played to the array (every microphone hears the same signal) gives zero lag on every pair,
// which no azimuth of a triangle fits, so its map is a flat ripple whose peak wanders (measured:
// 0-4 % on the triangle against 12-28 % for a far talker, README "Commands after the wake word").
// On a line of microphones zero lag is a talker at broadside: confident, and it holds still.
import { rfftInitF32, rfftTableBytes, rfftF32 } from "../../firmware/dsp/fft-f32";
import { hannWindow } from "../../firmware/dsp/window";
import { SPEED_OF_SOUND } from "../../firmware/dsp/beamformer";
import { srpPairResponse } from "../../firmware/dsp/srp-phat";

const LEN: i32 = 512;
const RATE: f32 = 16000;
const K_LO: i32 = 10; // 312 Hz: below, the room's modes and the fan
const K_HI: i32 = 128; // 4 kHz: above, little speech energy and spatial aliasing of the 50 mm pairs
const BINS: i32 = K_HI - K_LO;
const STEP: f32 = 0.1; // lag grid, samples
const KEEP: f32 = 0.85; // per speech frame: the average spans about 7 frames (0.2 s of speech)
const NOISE_KEEP: f32 = 0.9; // per non-speech frame: the noise spectrum follows in about 0.3 s
const NOISE_OVER: f32 = 2; // a bin counts in proportion to 1 - 2 N / P: nothing below 3 dB SNR
const GATE_DBFS: f32 = -85; // raw microphone level below which the estimate is not updated: 5 dB over MEMS self-noise (-90 dBFS); speech from 3 m is about -68 dBFS at -26 dBFS / 94 dB SPL, so -60 froze the estimate there
const SPEECH_DB: f32 = 6; // ... and 6 dB above the tracked noise floor: the talker, not the fan
const FLOOR_RISE_DB: f32 = 0.1; // per frame (32 ms): the floor follows rising noise in about 2 s per 6 dB
const SIDE_DEG: i32 = 30; // the confidence's rival: the best azimuth further than this from the peak
const CONFIDENCE_KEEP: f32 = 0.8; // per estimate: the confidence spans about 5 speech frames (0.15 s)

export class Doa {
  private readonly frames: usize; // mics x LEN f32, filled as blocks arrive
  private readonly spectra: usize; // mics x LEN f32, packed real FFTs
  private readonly table: usize;
  private readonly window: usize;
  private readonly pairs: i32;
  private readonly pairI: StaticArray<i32>;
  private readonly pairJ: StaticArray<i32>;
  private readonly lagMax: StaticArray<f32>; // per pair, samples
  private readonly gridAt: StaticArray<i32>; // per pair: first f32 of its grid in `grids`
  private readonly cross: usize; // pairs x BINS complex f32, the averaged G
  private readonly grids: usize;
  private readonly noise: usize; // BINS f32: microphone 0's noise power per bin
  private readonly weights: usize; // BINS f32: this frame's per-bin weight
  private readonly map: usize; // 361 f32: the steered response on the search grid
  private noiseFrames: u32 = 0;
  private readonly collinear: bool;
  private lineDeg: f32 = 0;
  private filled: i32 = 0;
  azimuthDeg: f32 = 90;
  /** How peaked the map is, 0..1 (see the top), smoothed over estimates; 0 before the first. */
  confidence: f32 = 0;
  floorDb: f32 = 0;
  updates: u32 = 0;

  constructor(readonly mics: i32, readonly positions: usize) {
    const pairs = mics * (mics - 1) / 2;
    this.pairs = pairs;
    this.pairI = new StaticArray<i32>(pairs);
    this.pairJ = new StaticArray<i32>(pairs);
    this.lagMax = new StaticArray<f32>(pairs);
    this.gridAt = new StaticArray<i32>(pairs + 1);
    this.frames = heap.alloc(<usize>(mics * LEN * 4));
    this.spectra = heap.alloc(<usize>(mics * LEN * 4));
    this.table = heap.alloc(<usize>rfftTableBytes(LEN));
    rfftInitF32(LEN, this.table);
    this.window = heap.alloc(<usize>(LEN * 4));
    hannWindow(this.window, LEN);
    const samplesPerMm = RATE / <f32>(SPEED_OF_SOUND * 1000.0);
    let p = 0, at = 0;
    for (let i = 0; i < mics; i++) {
      for (let j = i + 1; j < mics; j++) {
        this.pairI[p] = i; this.pairJ[p] = j;
        const dx = this.x(j) - this.x(i), dy = this.y(j) - this.y(i);
        const lag = Mathf.sqrt(dx * dx + dy * dy) * samplesPerMm;
        this.lagMax[p] = lag;
        this.gridAt[p] = at;
        at += 2 * <i32>Mathf.ceil(lag / STEP) + 3;
        p++;
      }
    }
    this.gridAt[pairs] = at;
    this.cross = heap.alloc(<usize>(max(pairs, 1) * BINS * 8));
    memory.fill(this.cross, 0, <usize>(max(pairs, 1) * BINS * 8));
    this.grids = heap.alloc(<usize>(max(at, 1) * 4));
    this.noise = heap.alloc(<usize>(BINS * 4));
    memory.fill(this.noise, 0, <usize>(BINS * 4));
    this.weights = heap.alloc(<usize>(BINS * 4));
    this.map = heap.alloc(<usize>(361 * 4));
    // Collinear when every microphone lies on the line through the first two (within 1 mm).
    let collinear = true;
    if (mics >= 2) {
      const ex = this.x(1) - this.x(0), ey = this.y(1) - this.y(0);
      const len = Mathf.sqrt(ex * ex + ey * ey);
      for (let k = 2; k < mics; k++) {
        const cross = (ex * (this.y(k) - this.y(0)) - ey * (this.x(k) - this.x(0))) / (len + 1e-9);
        if (Mathf.abs(cross) > 1) collinear = false;
      }
      this.lineDeg = Mathf.atan2(ey, ex) * 180.0 / Mathf.PI;
    }
    this.collinear = collinear;
  }

  /** The azimuth in whole degrees, 0..359, as the console and the log show it. */
  get degrees(): u32 { return <u32>Mathf.round(this.azimuthDeg) % 360; }

  @inline private x(k: i32): f32 { return load<f32>(this.positions + <usize>(k * 12)); }
  @inline private y(k: i32): f32 { return load<f32>(this.positions + <usize>(k * 12), 4); }

  /** Appends a planar block (mics x n); returns true when the azimuth was updated. */
  push(planar: usize, n: i32): bool {
    const take = min(n, LEN - this.filled);
    for (let c = 0; c < this.mics; c++) {
      memory.copy(this.frames + (<usize>(c * LEN + this.filled) << 2), planar + (<usize>(c * n) << 2), <usize>take << 2);
    }
    this.filled += take;
    if (this.filled < LEN) return false;
    this.filled = 0;
    const level = this.levelDb();
    // Noise floor: falls at once to a quieter frame, rises slowly.
    this.floorDb = level < this.floorDb ? level : this.floorDb + FLOOR_RISE_DB;
    if (this.mics < 2) return false;
    this.spectrum(0);
    if (level < GATE_DBFS || level < this.floorDb + SPEECH_DB) {
      this.learnNoise();
      return false;
    }
    for (let c = 1; c < this.mics; c++) this.spectrum(c);
    this.accumulate();
    this.estimate();
    return true;
  }

  private levelDb(): f32 {
    let e: f32 = 0;
    for (let i = 0; i < LEN; i++) { const x = load<f32>(this.frames + (<usize>i << 2)); e += x * x; }
    return 10.0 * Mathf.log10(e / <f32>LEN + 1e-12);
  }

  /** Channel c's windowed spectrum of this frame into `spectra`. */
  private spectrum(c: i32): void {
    const src = this.frames + (<usize>(c * LEN) << 2), dst = this.spectra + (<usize>(c * LEN) << 2);
    for (let i = 0; i < LEN; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)) * load<f32>(this.window + (<usize>i << 2)));
    rfftF32(LEN, this.table, dst);
  }

  /** A frame without speech: microphone 0's power per bin into the noise estimate. */
  private learnNoise(): void {
    const first = this.noiseFrames == 0;
    this.noiseFrames++;
    for (let k = K_LO; k < K_HI; k++) {
      const a = this.spectra + (<usize>k << 3);
      const pw = load<f32>(a) * load<f32>(a) + load<f32>(a, 4) * load<f32>(a, 4);
      const q = this.noise + (<usize>(k - K_LO) << 2);
      store<f32>(q, first ? pw : load<f32>(q) * NOISE_KEEP + pw * (1.0 - NOISE_KEEP));
    }
  }

  /** Every pair's whitened cross-spectrum into the running average, each bin weighted by how far
   *  it stands above the noise: bins the noise owns carry the noise field's coherence (a diffuse
   *  field's is near 1 at lag 0 for close microphones), which pulls the estimate to broadside. */
  private accumulate(): void {
    for (let k = K_LO; k < K_HI; k++) {
      const a = this.spectra + (<usize>k << 3);
      const pw = load<f32>(a) * load<f32>(a) + load<f32>(a, 4) * load<f32>(a, 4);
      let w: f32 = 1.0 - NOISE_OVER * load<f32>(this.noise + (<usize>(k - K_LO) << 2)) / (pw + 1e-20);
      store<f32>(this.weights + (<usize>(k - K_LO) << 2), w < 0 ? 0 : w);
    }
    const fresh: f32 = 1.0 - KEEP;
    for (let p = 0; p < this.pairs; p++) {
      const xi = this.spectra + (<usize>(this.pairI[p] * LEN) << 2), xj = this.spectra + (<usize>(this.pairJ[p] * LEN) << 2);
      const g = this.cross + (<usize>(p * BINS) << 3);
      for (let k = K_LO; k < K_HI; k++) {
        const a = xi + (<usize>k << 3), b = xj + (<usize>k << 3);
        const ar = load<f32>(a), ai = load<f32>(a, 4), br = load<f32>(b), bi = load<f32>(b, 4);
        const cr = ar * br + ai * bi, ci = ai * br - ar * bi;
        const inv: f32 = fresh * load<f32>(this.weights + (<usize>(k - K_LO) << 2)) / (Mathf.sqrt(cr * cr + ci * ci) + 1e-20);
        const q = g + (<usize>(k - K_LO) << 3);
        store<f32>(q, load<f32>(q) * KEEP + cr * inv);
        store<f32>(q, load<f32>(q, 4) * KEEP + ci * inv, 4);
      }
    }
  }

  /** Each pair's correlation on its lag grid, then the best azimuth over all pairs. */
  private estimate(): void {
    for (let p = 0; p < this.pairs; p++) {
      const g = this.cross + (<usize>(p * BINS) << 3);
      const grid = this.grids + (<usize>this.gridAt[p] << 2);
      const points = this.gridAt[p + 1] - this.gridAt[p];
      const half = (points - 1) / 2;
      for (let s = 0; s < points; s++) store<f32>(grid + (<usize>s << 2), correlation(g, <f32>(s - half) * STEP));
    }
    // Search: the whole circle, or the half-plane on the +90 degree side of a line of microphones.
    const from: f32 = this.collinear ? this.lineDeg : 0;
    const span: i32 = this.collinear ? 180 : 360;
    let best = 0;
    let bestV: f32 = -Infinity;
    let lowV: f32 = Infinity;
    const points = this.collinear ? span + 1 : span;
    for (let d = 0; d < points; d++) {
      const v = this.power(from + <f32>d);
      store<f32>(this.map + (<usize>d << 2), v);
      if (v > bestV) { bestV = v; best = d; }
      if (v < lowV) lowV = v;
    }
    this.rateMap(best, bestV, lowV, points);
    let deg: f32 = from + <f32>best;
    if (this.collinear && (best == 0 || best == span)) {
      // End-fire: no neighbour on the outside; take the grid point.
    } else {
      const a = this.power(deg - 1), c = this.power(deg + 1);
      const den = a - 2.0 * bestV + c;
      if (den < 0) {
        let delta: f32 = <f32>0.5 * (a - c) / den;
        delta = delta > 0.5 ? 0.5 : delta < -0.5 ? -0.5 : delta;
        deg += delta;
      }
    }
    deg = deg % 360.0;
    if (deg < 0) deg += 360;
    this.azimuthDeg = deg;
    this.updates++;
  }

  /** The confidence from this estimate's map: the peak over its best rival more than SIDE_DEG away. */
  private rateMap(best: i32, bestV: f32, lowV: f32, points: i32): void {
    let rival: f32 = lowV;
    for (let d = 0; d < points; d++) {
      let apart = abs<i32>(d - best);
      if (!this.collinear && apart > 180) apart = 360 - apart;
      if (apart > SIDE_DEG) rival = max(rival, load<f32>(this.map + (<usize>d << 2)));
    }
    const c: f32 = bestV > lowV ? (bestV - rival) / (bestV - lowV) : 0;
    this.confidence = this.updates == 0 ? c : this.confidence * CONFIDENCE_KEEP + c * (1.0 - CONFIDENCE_KEEP);
  }

  /** Steered response: the sum over pairs of r_ij at the lag a talker at `deg` would give. */
  private power(deg: f32): f32 {
    const rad = deg * Mathf.PI / 180.0;
    const ux = Mathf.cos(rad), uy = Mathf.sin(rad);
    const samplesPerMm = RATE / <f32>(SPEED_OF_SOUND * 1000.0);
    let sum: f32 = 0;
    for (let p = 0; p < this.pairs; p++) {
      const i = this.pairI[p], j = this.pairJ[p];
      // Channel i lags channel j by (p_j - p_i) . u / c.
      const lag = ((this.x(j) - this.x(i)) * ux + (this.y(j) - this.y(i)) * uy) * samplesPerMm;
      const points = this.gridAt[p + 1] - this.gridAt[p];
      const half = (points - 1) / 2;
      let s = lag / STEP + <f32>half;
      s = s < 0 ? 0 : s > <f32>(points - 1) ? <f32>(points - 1) : s;
      const k = min(<i32>s, points - 2);
      const f = s - <f32>k;
      const grid = this.grids + (<usize>(this.gridAt[p] + k) << 2);
      sum += load<f32>(grid) * (1.0 - f) + load<f32>(grid, 4) * f;
    }
    return sum;
  }
}

/** r(tau) = sum over the band of Re(G_k e^(i 2 pi k tau / LEN)) (firmware/dsp/srp-phat.ts). */
function correlation(g: usize, tau: f32): f32 {
  return srpPairResponse(g, tau, LEN, K_LO, BINS);
}
