// Float64 host reference of firmware/dsp/mvdr.ts: an MVDR beam whose noise coherence is learnt
// on the frames a floor tracker calls noise, in the superdirective beam's STFT (10 ms hop,
// 20 ms square-root Hann frames, 512-point FFT). Written from the method (Capon 1969; Van
// Trees, Optimum Array Processing, ch. 6: w = (R + mu I)^-1 d / (d^H (R + mu I)^-1 d), R a
// power-weighted average of the noise frames' X X^H starting from the diffuse coherence
// sin(kd)/(kd), used over its mean diagonal, loading stepped to hold a white-noise-gain floor); the constants are the firmware's (test/firmware/dsp/mvdr.test.ts holds the two
// together). The beam is linear once its weights are fixed: `shadows` are other signal sets
// (e.g. the speech and the noise of a scene apart) put through the same weights, frame by
// frame, as the mixture chose them: the SNR on the signal itself.

import { fftInPlace as fft } from "./dsp-reference.ts";
import { MicCalibration } from "./dsp-reference-mic-calibration.ts";

const C = 343; // m/s, as firmware/dsp/beamformer.ts
export const MV_HOP = 160;
const FRAME = 320;
const FFT = 512;
const BINS = FFT / 2 + 1;
export const MV_ALPHA = 0.005;
export const MV_SPEECH_DB = 6;
export const MV_FLOOR_RISE_DB = 0.05;
export const MV_HANG_FRAMES = 30;
const K_LO = 10;
const K_HI = 128;
const MU_MIN = 1e-4;
const MU_MAX = 100;
const MU_STEP = Math.sqrt(10);
const SLICES = 4;

type C64 = [number, number];

/** Solves (A) x = b, A complex Hermitian positive definite (m x m), by elimination without pivoting. */
function solve(a: C64[][], b: C64[]): C64[] {
  const m = b.length;
  const A = a.map((r, i) => [...r.map((v) => [...v] as C64), [...b[i]] as C64]);
  for (let i = 0; i < m; i++) {
    const [pr, pi] = A[i][i];
    const den = 1 / (pr * pr + pi * pi);
    for (let r = i + 1; r < m; r++) {
      const [xr, xi] = A[r][i];
      const fr = (xr * pr + xi * pi) * den,
        fi = (xi * pr - xr * pi) * den;
      for (let c = i; c <= m; c++) {
        const [sr, si] = A[i][c];
        A[r][c] = [A[r][c][0] - (fr * sr - fi * si), A[r][c][1] - (fr * si + fi * sr)];
      }
    }
  }
  const x: C64[] = Array.from({ length: m }, () => [0, 0]);
  for (let i = m - 1; i >= 0; i--) {
    let [br, bi] = A[i][m];
    for (let c = i + 1; c < m; c++) {
      const [sr, si] = A[i][c];
      br -= sr * x[c][0] - si * x[c][1];
      bi -= sr * x[c][1] + si * x[c][0];
    }
    const [pr, pi] = A[i][i];
    const den = 1 / (pr * pr + pi * pi);
    x[i] = [(br * pr + bi * pi) * den, (bi * pr - br * pi) * den];
  }
  return x;
}

export interface MvdrOptions {
  /** Per frame, per microphone: the calibration's linear gain (dsp-reference-superdirective.ts calibrationTrajectory); else learnt here from the signals when `calibrate`. */
  gains?: Float64Array[];
  /** Run the microphone calibration on the signals, as the firmware does inside the beam. */
  calibrate?: boolean;
  /** Signal sets put through the mixture's weights and gains, frame by frame. */
  shadows?: Float64Array[][];
}

export interface MvdrResult {
  out: Float64Array;
  shadows: Float64Array[];
  /** Frames the noise coherence learnt from. */
  noiseFrames: number;
}

/** The MVDR beam over planar signals, steered to azimuth az (rad); output delayed by MV_HOP samples. */
export function mvdr(
  positions: number[][],
  signals: Float64Array[],
  az: number,
  fs: number,
  wngMinDb: number,
  opts: MvdrOptions = {},
): MvdrResult {
  const M = positions.length;
  const win = Float64Array.from({ length: FRAME }, (_, i) =>
    Math.sqrt(0.5 - 0.5 * Math.cos((2 * Math.PI * i) / FRAME)),
  );
  const kw = (k: number) => (2 * Math.PI * k * fs) / FFT / C / 1000; // rad per mm
  const u = [Math.cos(az), Math.sin(az)];
  const d: C64[][] = Array.from({ length: BINS }, (_, k) =>
    positions.map((p) => {
      const ph = kw(k) * (p[0] * u[0] + p[1] * u[1]);
      return [Math.cos(ph), Math.sin(ph)] as C64;
    }),
  );
  const R: C64[][][] = Array.from({ length: BINS }, (_, k) =>
    positions.map((p) =>
      positions.map((q) => {
        const x = kw(k) * Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
        return [x < 1e-6 ? 1 : Math.sin(x) / x, 0] as C64;
      }),
    ),
  );
  const mu = new Float64Array(BINS).fill(MU_MIN);
  const wngMax = 10 ** (-wngMinDb / 10);
  const W: C64[][] = Array.from({ length: BINS }, () => positions.map(() => [0, 0] as C64));
  const design = (k: number) => {
    let trace = 0;
    for (let i = 0; i < M; i++) trace += R[k][i][i][0];
    const scale = trace > 0 ? M / trace : 1;
    for (;;) {
      const a = R[k].map((row, i) =>
        row.map((v, j) => [scale * v[0] + (i === j ? mu[k] : 0), scale * v[1]] as C64),
      );
      const x = solve(a, d[k]);
      let dx = 0;
      for (let i = 0; i < M; i++) dx += d[k][i][0] * x[i][0] + d[k][i][1] * x[i][1];
      const w = x.map(([r, i]) => [r / dx, i / dx] as C64);
      const norm = w.reduce((s, [r, i]) => s + r * r + i * i, 0);
      W[k] = w;
      if (norm > wngMax && mu[k] < MU_MAX) {
        mu[k] *= MU_STEP;
        continue;
      }
      if (norm * 2 < wngMax && mu[k] > MU_MIN) mu[k] /= MU_STEP;
      return;
    }
  };
  for (let k = 1; k < BINS - 1; k++) design(k);

  const cal = opts.calibrate && !opts.gains ? new MicCalibration(M) : null;
  const sets = [signals, ...(opts.shadows ?? [])];
  const n = signals[0].length;
  const outs = sets.map(() => new Float64Array(n));
  const olas = sets.map(() => new Float64Array(FRAME - MV_HOP));
  let floor = Infinity,
    hang = MV_HANG_FRAMES,
    slice = 0,
    noiseFrames = 0;
  const spectrum = (x: Float64Array, f: number) => {
    const re = new Float64Array(FFT),
      im = new Float64Array(FFT);
    for (let i = 0; i < FRAME; i++) {
      const t = (f - 1) * MV_HOP + i;
      re[i] = t >= 0 ? x[t] * win[i] : 0;
    }
    fft(re, im, -1);
    return { re, im };
  };
  for (let f = 0; (f + 1) * MV_HOP <= n; f++) {
    const g = opts.gains ? opts.gains[f] : cal ? cal.gain.slice() : new Float64Array(M).fill(1);
    const specs = sets.map((set) =>
      set.map((x, m) => {
        const s = spectrum(x, f);
        return { re: s.re.map((v) => v * g[m]), im: s.im.map((v) => v * g[m]) };
      }),
    );
    if (cal) {
      signals.forEach((x, m) => {
        const s = spectrum(x, f);
        cal.observe(m, s.re, s.im);
      });
      cal.endFrame();
    }
    const X = specs[0];
    let e = 0;
    for (let m = 0; m < M; m++)
      for (let k = K_LO; k < K_HI; k++) e += X[m].re[k] ** 2 + X[m].im[k] ** 2;
    floor = e < floor ? e : floor * 10 ** (MV_FLOOR_RISE_DB / 10);
    if (e > floor * 10 ** (MV_SPEECH_DB / 10)) hang = 0;
    else if (hang < MV_HANG_FRAMES) hang++;
    if (hang >= MV_HANG_FRAMES) {
      for (let k = 1; k < BINS - 1; k++) {
        if (noiseFrames === 0) {
          // The diffuse prior, scaled to the first noise frame's power per microphone.
          let p = 0;
          for (let m = 0; m < M; m++) p += X[m].re[k] ** 2 + X[m].im[k] ** 2;
          R[k] = R[k].map((row) => row.map(([a, b]) => [(a * p) / M, (b * p) / M] as C64));
        }
        const s = MV_ALPHA;
        for (let i = 0; i < M; i++)
          for (let j = 0; j < M; j++) {
            const [ar, ai] = [X[i].re[k], X[i].im[k]],
              [br, bi] = [X[j].re[k], X[j].im[k]];
            R[k][i][j] = [
              (1 - MV_ALPHA) * R[k][i][j][0] + s * (ar * br + ai * bi),
              (1 - MV_ALPHA) * R[k][i][j][1] + s * (ai * br - ar * bi),
            ];
          }
      }
      noiseFrames++;
    }
    for (let k = 1 + slice; k < BINS - 1; k += SLICES) design(k);
    slice = (slice + 1) % SLICES;
    specs.forEach((S, si) => {
      const yr = new Float64Array(FFT),
        yi = new Float64Array(FFT);
      for (let m = 0; m < M; m++) {
        yr[0] += S[m].re[0] / M;
        for (let k = 1; k < BINS - 1; k++) {
          const [wr, wi] = W[k][m];
          yr[k] += wr * S[m].re[k] + wi * S[m].im[k];
          yi[k] += wr * S[m].im[k] - wi * S[m].re[k];
        }
      }
      for (let k = 1; k < FFT / 2; k++) {
        yr[FFT - k] = yr[k];
        yi[FFT - k] = -yi[k];
      }
      fft(yr, yi, 1);
      const out = outs[si],
        ola = olas[si];
      for (let i = 0; i < MV_HOP; i++) {
        out[f * MV_HOP + i] = ola[i] + (yr[i] / FFT) * win[i];
        ola[i] = (yr[i + MV_HOP] / FFT) * win[i + MV_HOP];
      }
    });
  }
  return { out: outs[0], shadows: outs.slice(1), noiseFrames };
}
