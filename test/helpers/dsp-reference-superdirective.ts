// Float64 host reference of firmware/dsp/superdirective.ts: a superdirective beam for a
// diffuse noise field, in the STFT domain (10 ms hop, 20 ms square-root Hann frames, 512-point
// FFT), with each bin's diagonal loading the smallest of a ladder that keeps the white-noise
// gain at or above a floor for every steering direction of a 30-degree grid. Written from the
// published definitions (Cox, Zeskind and Kooij, IEEE Trans. ASSP 34, 1986; Bitzer and
// Simmer, "Superdirective microphone arrays", in Microphone Arrays, Springer 2001), not from the
// firmware.

import { fftInPlace as fft } from "./dsp-reference.ts";
import { MicCalibration } from "./dsp-reference-mic-calibration.ts";

const C = 343; // m/s, as firmware/dsp/beamformer.ts
export const SD_HOP = 160;
export const SD_FRAME = 320;
export const SD_FFT = 512;
const BINS = SD_FFT / 2 + 1;

/** Solves (A) x = b for a real symmetric positive definite A (row-major m x m) by Gauss elimination. */
function solve(a: number[][], b: number[]): number[] {
  const m = b.length;
  const A = a.map((r) => [...r]),
    x = [...b];
  for (let i = 0; i < m; i++) {
    for (let r = i + 1; r < m; r++) {
      const f = A[r][i] / A[i][i];
      for (let c = i; c < m; c++) A[r][c] -= f * A[i][c];
      x[r] -= f * x[i];
    }
  }
  for (let i = m - 1; i >= 0; i--) {
    for (let c = i + 1; c < m; c++) x[i] -= A[i][c] * x[c];
    x[i] /= A[i][i];
  }
  return x;
}

const inverses = new Map<string, { inv: number[][][]; mu: number[] }>();

/** (Gamma + mu I)^-1 for each bin: the diffuse field's coherence sin(kd)/(kd), loaded so that the white-noise gain stays >= wngMinDb. */
export function superdirectiveInverses(
  positions: number[][],
  fs: number,
  wngMinDb: number,
): { inv: number[][][]; mu: number[] } {
  // Depends on the geometry only: kept per array (a bench calls the beam many times on one).
  const key = JSON.stringify([positions, fs, wngMinDb]);
  const known = inverses.get(key);
  if (known) return known;
  const made = designInverses(positions, fs, wngMinDb);
  inverses.set(key, made);
  return made;
}

function designInverses(
  positions: number[][],
  fs: number,
  wngMinDb: number,
): { inv: number[][][]; mu: number[] } {
  const inv: number[][][] = [],
    mus: number[] = [];
  const wngMin = 10 ** (wngMinDb / 10);
  for (let k = 0; k < BINS; k++) {
    const w = (2 * Math.PI * k * fs) / SD_FFT / C;
    const gamma = positions.map((p) =>
      positions.map((q) => {
        const d = Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]) / 1000;
        return w * d < 1e-9 ? 1 : Math.sin(w * d) / (w * d);
      }),
    );
    let chosen: number[][] = [],
      mu = 0;
    for (let step = 0; step < LOADING_STEPS; step++) {
      mu = LOADING_LADDER(step);
      const a = gamma.map((r, i) => r.map((v, j) => v + (i === j ? mu : 0)));
      chosen = positions.map((_, j) =>
        solve(
          a,
          positions.map((__, i) => (i === j ? 1 : 0)),
        ),
      );
      if (worstWng(chosen, positions, w) >= wngMin) break;
    }
    inv.push(chosen);
    mus.push(mu);
  }
  return { inv, mu: mus };
}

/** The loading ladder: 1e-4 .. 1e2 in steps of a factor of sqrt(10); the last step is close to delay-and-sum. */
export const LOADING_STEPS = 13;
export const LOADING_LADDER = (step: number): number => 1e-4 * 10 ** (step / 2);

/** Steering vector for a plane wave from azimuth az (rad, horizontal plane) at angular wavenumber w (rad/m). */
function steering(positions: number[][], az: number, w: number): { re: number[]; im: number[] } {
  const u = [Math.cos(az), Math.sin(az)];
  const ph = positions.map((p) => (w * (p[0] * u[0] + p[1] * u[1])) / 1000);
  return { re: ph.map(Math.cos), im: ph.map(Math.sin) };
}

/** Weights Q d / (d^H Q d) for real symmetric Q. */
function weights(q: number[][], d: { re: number[]; im: number[] }): { re: number[]; im: number[] } {
  const m = d.re.length;
  const qr = q.map((row) => row.reduce((s, v, j) => s + v * d.re[j], 0));
  const qi = q.map((row) => row.reduce((s, v, j) => s + v * d.im[j], 0));
  let den = 0; // d^H Q d is real for real symmetric Q
  for (let i = 0; i < m; i++) den += d.re[i] * qr[i] + d.im[i] * qi[i];
  return { re: qr.map((v) => v / den), im: qi.map((v) => v / den) };
}

function worstWng(q: number[][], positions: number[][], w: number): number {
  let worst = Infinity;
  for (let a = 0; a < 12; a++) {
    const wt = weights(q, steering(positions, (a * Math.PI) / 6, w));
    const norm = wt.re.reduce((s, v, i) => s + v * v + wt.im[i] ** 2, 0);
    worst = Math.min(worst, 1 / norm);
  }
  return worst;
}

const sqrtHann = (): Float64Array =>
  Float64Array.from({ length: SD_FRAME }, (_, i) =>
    Math.sqrt(0.5 - 0.5 * Math.cos((2 * Math.PI * i) / SD_FRAME)),
  );

/** Frame f of x (samples (f-1) hop .. (f+1) hop, square-root Hann, zero-padded) as a spectrum. */
function frameSpectrum(x: Float64Array, f: number, win: Float64Array) {
  const re = new Float64Array(SD_FFT),
    im = new Float64Array(SD_FFT);
  for (let i = 0; i < SD_FRAME; i++) {
    const t = (f - 1) * SD_HOP + i;
    re[i] = t >= 0 ? x[t] * win[i] : 0;
  }
  fft(re, im, -1);
  return { re, im };
}

/** Per frame, per microphone: the linear gain correction the beam applies in that frame. */
export type GainTrajectory = Float64Array[];

/**
 * The microphone calibration (dsp-reference-mic-calibration.ts) run over `signals` as the
 * firmware runs it inside the beam: each frame corrected with the gains learnt from the frames
 * before it, then learning from this one. Run on the mixture, the trajectory then applies to
 * its speech and noise apart (the beam with given gains is linear).
 */
export function calibrationTrajectory(signals: Float64Array[]): {
  gains: GainTrajectory;
  cal: MicCalibration;
} {
  const cal = new MicCalibration(signals.length);
  const win = sqrtHann();
  const gains: GainTrajectory = [];
  for (let f = 0; (f + 1) * SD_HOP <= signals[0].length; f++) {
    gains.push(cal.gain.slice());
    signals.forEach((x, m) => {
      const { re, im } = frameSpectrum(x, f, win);
      cal.observe(m, re, im);
    });
    cal.endFrame();
  }
  return { gains, cal };
}

/**
 * The superdirective beam over planar signals, steered to azimuth az (rad); output delayed by
 * SD_HOP samples. With `gains`, each microphone is corrected first.
 */
export function superdirective(
  positions: number[][],
  signals: Float64Array[],
  az: number,
  fs: number,
  wngMinDb: number,
  gains?: GainTrajectory,
): Float64Array {
  const { inv } = superdirectiveInverses(positions, fs, wngMinDb);
  const wts = inv.map((q, k) =>
    weights(q, steering(positions, az, (2 * Math.PI * k * fs) / SD_FFT / C)),
  );
  const win = sqrtHann();
  const n = signals[0].length;
  const out = new Float64Array(n);
  const ola = new Float64Array(SD_HOP);
  for (let f = 0; (f + 1) * SD_HOP <= n; f++) {
    const yr = new Float64Array(SD_FFT),
      yi = new Float64Array(SD_FFT);
    signals.forEach((x, m) => {
      const { re, im } = frameSpectrum(x, f, win);
      const c = gains ? gains[f][m] : 1;
      for (let k = 0; k < BINS; k++) {
        // conj(w) X
        const wr = wts[k].re[m] * c,
          wi = wts[k].im[m] * c;
        yr[k] += wr * re[k] + wi * im[k];
        yi[k] += wr * im[k] - wi * re[k];
      }
    });
    yi[0] = 0;
    yi[SD_FFT / 2] = 0;
    for (let k = 1; k < SD_FFT / 2; k++) {
      yr[SD_FFT - k] = yr[k];
      yi[SD_FFT - k] = -yi[k];
    }
    fft(yr, yi, 1);
    for (let i = 0; i < SD_HOP; i++) {
      out[f * SD_HOP + i] = ola[i] + (yr[i] / SD_FFT) * win[i];
      ola[i] = (yr[i + SD_HOP] / SD_FFT) * win[i + SD_HOP];
    }
  }
  return out;
}
