// Float64 host reference of firmware/dsp/mic-calibration.ts: each microphone's sensitivity
// relative to the array mean, from a slow average of its power in one low band over the STFT
// frames a floor tracker calls noise; the correction is the square root of the power ratio,
// bounded, one gain per microphone. Written from the method (in a band where a small array is
// coherent, every microphone hears nearly the same noise, so power differences are gain
// differences), not from the firmware; the constants are the firmware's (held equal by
// test/firmware/dsp/mic-calibration.test.ts).

/** The band, in bins of the 512-point FFT at 16 kHz: 62.5 .. 500 Hz (k d < 0.5 on 50 mm). */
export const CAL_FIRST_BIN = 2;
export const CAL_END_BIN = 16;
/** A frame is noise when its band power is within this many dB of the tracked floor. */
export const CAL_NOISE_DB = 6;
/** The floor follows rising power by this many dB per 10 ms frame. */
export const CAL_FLOOR_RISE_DB = 0.05;
/** Slowest averaging: 1 / this many noise frames (the first frames average as 1 / n). */
export const CAL_SLOW_FRAMES = 300;
/** Correction bound, dB. */
export const CAL_MAX_DB = 3;

export class MicCalibration {
  /** Per microphone: the slow average of the band's power over noise frames. */
  readonly power: Float64Array;
  /** Per microphone: the linear correction applied to its signal. */
  readonly gain: Float64Array;
  private readonly frame: Float64Array; // this frame's band powers
  private floor = Infinity;
  noiseFrames = 0;

  constructor(readonly mics: number) {
    this.power = new Float64Array(mics);
    this.gain = new Float64Array(mics).fill(1);
    this.frame = new Float64Array(mics);
  }

  /** Microphone m's spectrum of this frame (bins 0..256): its band power, before correction. */
  observe(m: number, re: ArrayLike<number>, im: ArrayLike<number>): void {
    let p = 0;
    for (let k = CAL_FIRST_BIN; k < CAL_END_BIN; k++) p += re[k] ** 2 + im[k] ** 2;
    this.frame[m] = p;
  }

  /** After every microphone's observe: the noise decision, the averages and the corrections. */
  endFrame(): void {
    const e = this.frame.reduce((s, v) => s + v, 0);
    if (e < this.floor) this.floor = e;
    else this.floor *= 10 ** (CAL_FLOOR_RISE_DB / 10);
    if (e >= this.floor * 10 ** (CAL_NOISE_DB / 10)) return;
    this.noiseFrames++;
    const a = Math.max(1 / this.noiseFrames, 1 / CAL_SLOW_FRAMES);
    let mean = 0;
    for (let m = 0; m < this.mics; m++) {
      this.power[m] += a * (this.frame[m] - this.power[m]);
      mean += this.power[m];
    }
    mean /= this.mics;
    const lo = 10 ** (-CAL_MAX_DB / 20),
      hi = 10 ** (CAL_MAX_DB / 20);
    for (let m = 0; m < this.mics; m++) {
      const g = this.power[m] > 0 ? Math.sqrt(mean / this.power[m]) : 1;
      this.gain[m] = Math.min(hi, Math.max(lo, g));
    }
  }

  /** The estimated sensitivity of microphone m relative to the array mean, dB. */
  estimateDb(m: number): number {
    return -20 * Math.log10(this.gain[m]);
  }
}

/** The truth the estimate aims at: each gain relative to the array's mean power gain, dB. */
export function relativeGainsDb(gains: number[]): number[] {
  const mean = gains.reduce((s, g) => s + g * g, 0) / gains.length;
  return gains.map((g) => 10 * Math.log10((g * g) / mean));
}
