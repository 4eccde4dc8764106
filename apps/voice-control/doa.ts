// Direction of arrival by GCC-PHAT: every third 512 samples (one 32 ms frame in 96 ms) of the raw microphones, when
// the block is loud enough to hold speech, the lag of every microphone behind microphone 0;
// then the azimuth u (unit vector in the array's x-y plane) that best explains them:
// lag_k * c / fs = (p0 - pk) . u, least squares. On a line of microphones (RT1170's two,
// linear4-35mm) only the component along the line is known: the talker is taken in front
// (+y side), so the azimuth is 0..180 degrees.
import { rfftInitF32, rfftTableBytes } from "../../firmware/dsp/fft-f32";
import { gccPhat, gccPhatWorkBytes } from "../../firmware/dsp/gcc-phat";
import { SPEED_OF_SOUND } from "../../firmware/dsp/beamformer";

const LEN: i32 = 512;
const FFT: i32 = 1024;
const RATE: f32 = 16000;
const MAX_LAG: i32 = 24;
const GATE_DBFS: f32 = -60; // raw microphone level below which the estimate is not updated
const SPEECH_DB: f32 = 6; // ... and 6 dB above the tracked noise floor: the talker, not the fan
const FLOOR_RISE_DB: f32 = 0.3; // per estimate (96 ms): the floor follows rising noise in about 2 s per 6 dB

export class Doa {
  private readonly frames: usize;
  private readonly table: usize;
  private readonly work: usize;
  private filled: i32 = 0;
  private hops: u32 = 0;
  azimuthDeg: f32 = 90;
  floorDb: f32 = 0;
  updates: u32 = 0;

  constructor(readonly mics: i32, readonly positions: usize) {
    this.frames = heap.alloc(<usize>(mics * LEN * 4));
    this.table = heap.alloc(<usize>rfftTableBytes(FFT));
    rfftInitF32(FFT, this.table);
    this.work = heap.alloc(<usize>gccPhatWorkBytes(FFT));
  }

  /** Appends a planar block (mics x n); returns true when the azimuth was updated. */
  push(planar: usize, n: i32): bool {
    const take = min(n, LEN - this.filled);
    for (let c = 0; c < this.mics; c++) {
      memory.copy(this.frames + (<usize>(c * LEN + this.filled) << 2), planar + (<usize>(c * n) << 2), <usize>take << 2);
    }
    this.filled += take;
    if (this.filled < LEN) return false;
    this.filled = 0;
    if (this.hops++ % 3 != 0) return false; // GCC-PHAT costs 0.5-0.6 Mcycles per pair
    const level = this.levelDb();
    // Noise floor: falls at once to a quieter frame, rises slowly.
    this.floorDb = level < this.floorDb ? level : this.floorDb + FLOOR_RISE_DB;
    if (this.mics < 2 || level < GATE_DBFS || level < this.floorDb + SPEECH_DB) return false;
    return this.estimate();
  }

  private levelDb(): f32 {
    let e: f32 = 0;
    for (let i = 0; i < LEN; i++) { const x = load<f32>(this.frames + (<usize>i << 2)); e += x * x; }
    return 10.0 * Mathf.log10(e / <f32>LEN + 1e-12);
  }

  private estimate(): bool {
    const p = this.positions;
    const x0 = load<f32>(p), y0 = load<f32>(p, 4);
    // Normal equations of (p0 - pk) . u = r_k over k = 1..mics-1, and the 1-D fallback along the first pair.
    let sxx: f32 = 0, sxy: f32 = 0, syy: f32 = 0, bx: f32 = 0, by: f32 = 0;
    const mmPerSample = <f32>(SPEED_OF_SOUND * 1000.0) / RATE;
    for (let k = 1; k < this.mics; k++) {
      const lag = gccPhat(this.frames + (<usize>(k * LEN) << 2), this.frames, LEN, FFT, this.table, this.work, MAX_LAG);
      const dx = x0 - load<f32>(p + <usize>(k * 12)), dy = y0 - load<f32>(p + <usize>(k * 12), 4);
      const r = lag * mmPerSample;
      sxx += dx * dx; sxy += dx * dy; syy += dy * dy; bx += dx * r; by += dy * r;
    }
    const det = sxx * syy - sxy * sxy;
    let ux: f32, uy: f32;
    if (det > 1e-3 * (sxx + syy) * (sxx + syy)) {
      ux = (syy * bx - sxy * by) / det;
      uy = (sxx * by - sxy * bx) / det;
    } else {
      // Collinear: the line's direction e, s = u . e, talker on the +90 degree side of e.
      const len = Mathf.sqrt(sxx + syy);
      const ex = Mathf.sqrt(sxx) / len, ey = (sxy >= 0 ? Mathf.sqrt(syy) : -Mathf.sqrt(syy)) / len;
      let s = (bx * ex + by * ey) / (sxx + syy);
      s = s > 1 ? 1 : s < -1 ? -1 : s;
      const q = Mathf.sqrt(1 - s * s);
      ux = s * ex - q * ey;
      uy = s * ey + q * ex;
    }
    let az = Mathf.atan2(uy, ux) * 180.0 / Mathf.PI;
    if (az < 0) az += 360;
    this.azimuthDeg = az;
    this.updates++;
    return true;
  }
}
