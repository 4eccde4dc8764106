// The model's two inputs, computed as the app computes them on the board:
//  - video: the mouth region of a fixed seat box (lower 55 % of the head box, the box's full
//    width) from the grey QVGA frame, area-averaged to 24 x 16, normalised per crop (minus
//    its mean, over its standard deviation: exposure and skin tone drop out), a history of
//    the last 8 frames at 15 fps (0.53 s) as 8 channels [16, 24, 8];
//  - audio: log-mel energies (32 bands 60-7600 Hz, HTK mel as tf.signal and firmware/dsp/mel.ts,
//    Hann window 512 at 16 kHz, hop 320 = 20 ms) of the 24 hops ending at the frame, with a
//    fixed floor, offset and scale [24, 1, 32].
import FFT from "fft.js";

export const FPS = 15;
export const HISTORY = 8;
export const CROP_W = 24;
export const CROP_H = 16;
export const FRAME_W = 320;
export const FRAME_H = 240;
export const SAMPLE_RATE = 16000;
export const FFT_SIZE = 512;
export const HOP = 320;
export const MEL_BANDS = 32;
export const AUDIO_HOPS = 24;
export const MEL_LOW_HZ = 60;
export const MEL_HIGH_HZ = 7600;
/**
 * ln(power + LOG_FLOOR) of the generated meetings spans about -20 (quiet high bands, 1st
 * percentile) to -6.3 (the loudest speech); this maps it to about -1.6..1.8. The floor sits
 * below the quietest band: a floor of 1e-6 (ln -13.8) clamped over half of all values, the
 * pauses, the noise and most high bands, to one value.
 */
export const LOG_FLOOR = 1e-12;
export const LOG_OFFSET = 13.5;
export const LOG_SCALE = 0.25;

export interface SeatBox {
  cx: number;
  cy: number;
  hw: number;
  hh: number;
}

/** Mouth crop of one seat from a grey frame (w x h bytes), normalised, into out[k*HISTORY + slot] layout [16, 24, HISTORY]. */
export function mouthCrop(
  grey: Uint8Array,
  w: number,
  h: number,
  seat: SeatBox,
  out: Float32Array,
  slot: number,
): void {
  const x0 = (seat.cx - seat.hw) * w,
    x1 = (seat.cx + seat.hw) * w;
  const y0 = (seat.cy + 0.1 * seat.hh) * h,
    y1 = (seat.cy + 1.2 * seat.hh) * h;
  const vals = new Float32Array(CROP_W * CROP_H);
  let sum = 0;
  for (let r = 0; r < CROP_H; r++) {
    for (let c = 0; c < CROP_W; c++) {
      // Area average over the source pixels the output pixel covers (nearest whole pixels).
      const sx0 = Math.floor(x0 + ((x1 - x0) * c) / CROP_W),
        sx1 = Math.max(sx0 + 1, Math.floor(x0 + ((x1 - x0) * (c + 1)) / CROP_W));
      const sy0 = Math.floor(y0 + ((y1 - y0) * r) / CROP_H),
        sy1 = Math.max(sy0 + 1, Math.floor(y0 + ((y1 - y0) * (r + 1)) / CROP_H));
      let acc = 0,
        n = 0;
      for (let y = sy0; y < sy1; y++)
        for (let x = sx0; x < sx1; x++) {
          if (x >= 0 && x < w && y >= 0 && y < h) {
            acc += grey[y * w + x];
            n++;
          }
        }
      const v = n ? acc / n : 0;
      vals[r * CROP_W + c] = v;
      sum += v;
    }
  }
  const mean = sum / vals.length;
  let sq = 0;
  for (const v of vals) sq += (v - mean) ** 2;
  const inv = 1 / Math.max(4, Math.sqrt(sq / vals.length));
  for (let i = 0; i < vals.length; i++) out[i * HISTORY + slot] = (vals[i] - mean) * inv;
}

const hzToMel = (f: number) => 1127 * Math.log(1 + f / 700);

/** Mel weights [bins x bands] as tf.signal.linear_to_mel_weight_matrix (DC bin excluded). */
function melMatrix(): Float32Array {
  const bins = FFT_SIZE / 2 + 1;
  const m = new Float32Array(bins * MEL_BANDS);
  const lo = hzToMel(MEL_LOW_HZ),
    hi = hzToMel(MEL_HIGH_HZ),
    step = (hi - lo) / (MEL_BANDS + 1);
  for (let k = 1; k < bins; k++) {
    const pos = (hzToMel((k * SAMPLE_RATE) / 2 / (bins - 1)) - lo) / step;
    if (!(pos > 0 && pos < MEL_BANDS + 1)) continue;
    const seg = Math.floor(pos),
      w = pos - seg;
    if (seg < MEL_BANDS) m[k * MEL_BANDS + seg] += w; // rising edge of band seg
    if (seg >= 1) m[k * MEL_BANDS + seg - 1] += 1 - w; // falling edge of band seg - 1
  }
  return m;
}

/** The periodic Hann window over FFT_SIZE samples both the log-mel features and the direction cue use. */
export function hannWindow(): Float64Array {
  return Float64Array.from(
    { length: FFT_SIZE },
    (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / FFT_SIZE),
  );
}

/** Log-mel features of every hop of a signal: [hops x MEL_BANDS], hop k's window ending at (k + 1) * HOP. */
export function logMelHops(x: Float32Array | Float64Array): Float32Array {
  const hops = Math.floor(x.length / HOP);
  const out = new Float32Array(hops * MEL_BANDS);
  const fft = new FFT(FFT_SIZE);
  const mel = melMatrix();
  const win = hannWindow();
  const frame = new Array<number>(FFT_SIZE);
  const spec = fft.createComplexArray() as number[];
  const bins = FFT_SIZE / 2 + 1;
  for (let k = 0; k < hops; k++) {
    const end = (k + 1) * HOP;
    for (let i = 0; i < FFT_SIZE; i++) {
      const j = end - FFT_SIZE + i;
      frame[i] = j >= 0 ? x[j] * win[i] : 0;
    }
    fft.realTransform(spec, frame);
    for (let b = 0; b < MEL_BANDS; b++) out[k * MEL_BANDS + b] = 0;
    for (let i = 1; i < bins; i++) {
      const p = (spec[2 * i] ** 2 + spec[2 * i + 1] ** 2) / FFT_SIZE;
      for (let b = Math.max(0, 0); b < MEL_BANDS; b++) {
        const wgt = mel[i * MEL_BANDS + b];
        if (wgt) out[k * MEL_BANDS + b] += wgt * p;
      }
    }
    for (let b = 0; b < MEL_BANDS; b++)
      out[k * MEL_BANDS + b] =
        (Math.log(out[k * MEL_BANDS + b] + LOG_FLOOR) + LOG_OFFSET) * LOG_SCALE;
  }
  return out;
}

/** The audio input at scene time t: the AUDIO_HOPS hops ending at or before t. */
export function audioWindow(hops: Float32Array, t: number, out: Float32Array): void {
  const last = Math.floor((t * SAMPLE_RATE) / HOP) - 1;
  for (let i = 0; i < AUDIO_HOPS; i++) {
    const k = last - AUDIO_HOPS + 1 + i;
    for (let b = 0; b < MEL_BANDS; b++)
      out[i * MEL_BANDS + b] =
        k >= 0 && (k + 1) * MEL_BANDS <= hops.length
          ? hops[k * MEL_BANDS + b]
          : LOG_SCALE * (Math.log(LOG_FLOOR) + LOG_OFFSET);
  }
}
