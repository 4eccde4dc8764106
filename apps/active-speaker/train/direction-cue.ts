// A per-face audio cue from the microphone array: how much of the sound comes from the face's
// direction. Host side, float64, to measure whether the cue is worth putting in the firmware.
//
// Geometry convention: the camera sits at the array's origin and looks along the board's
// microphones.cameraAxisDeg (boards/*.json; 0 when absent: along the board's +x), the product's
// mounting choice; the av-scene renderer (emulator/inputs/av-scene/scene.ts) turns the array by
// it and the firmware reads it as firmware/board's CAMERA_AXIS_DEG. In the camera's frame (x
// forward, y left; cameraFrameMics) a seat's az runs from +x towards +y, +y being the image's
// left, and a face box centre cx (fraction of the width) is at azimuth atan((0.5 - cx) / focal),
// focal = 0.5 / tan(fov / 2) in image widths: the seat's own az, as measureDirection checks.
// RT1170's pair (20 mm along the board's x) has cameraAxisDeg 90, so the camera looks along its
// broadside; the triangle (sln-local2-tri on RT1060 and MCX N947) is taken as drawn (axis 0).
//
// Per 20 ms hop (the window of 512 samples ending at the hop, Hann, as the log-mel features):
// each channel's spectrum, each pair's phase-transformed cross-spectrum G_ij = X_i conj(X_j) /
// |X_i X_j| over the band, each bin weighted by how far it stands above the noise (the noise
// learnt on quiet hops, as doa.ts does), and the steered response
// SRP(az) = sum_ij sum_k w_k Re(G_ij,k e^(i 2 pi k tau_ij(az) / 512)), tau_ij = (p_j - p_i) . u fs / c.
// A face's cue over the crop history's 0.48 s (24 hops) is its SRP minus the mean SRP over
// every direction of a 5-degree grid, over the maximum minus that mean (so 1 at the loudest
// direction, about 0 for a direction no louder than average; level-normalised), and then
// (relativeCues) minus the highest other face's cue of the same step.
import FFT from "fft.js";
import { FFT_SIZE, HOP, SAMPLE_RATE, AUDIO_HOPS, hannWindow } from "./features.ts";

export const SPEED_OF_SOUND = 343; // m/s at 20 °C, as emulator/inputs/room/room-geometry.ts
/** Band of the steered response: 312 Hz (below it the room's modes) to this bin. */
export const K_LO = 10;
/** ... to 7.5 kHz: chosen on the validation meetings (the cue alone scored 0.899 / 0.808 there
 *  for the triangle / the 20 mm pair, against 0.828 / 0.730 up to 4 kHz). */
export const K_HI = 240;
/** Grid of directions the cue is normalised against, degrees. */
export const GRID_STEP = 5;
/** Noise learning, as apps/voice-control/doa.ts: a hop below the tracked floor + SPEECH_DB is noise. */
const NOISE_KEEP = 0.9;
const NOISE_OVER = 2;
const SPEECH_DB = 6;
const FLOOR_RISE_DB = 0.1;

export type Mm = readonly (readonly [number, number, number])[];

/** Microphone positions in the camera's frame (x forward, y left), mm: the board frame turned by
 *  -cameraAxisDeg, as the av-scene renderer mounts the array and the firmware (direction.ts) does. */
export function cameraFrameMics(positionsMm: Mm, cameraAxisDeg = 0): [number, number, number][] {
  const a = (-cameraAxisDeg * Math.PI) / 180;
  const c = Math.cos(a),
    s = Math.sin(a);
  return positionsMm.map((q) => [c * q[0] - s * q[1], s * q[0] + c * q[1], q[2]]);
}

/** A face box centre's azimuth in degrees (+ left), for a camera of `fovDeg` horizontal view. */
export function faceAzimuthDeg(cx: number, fovDeg: number): number {
  const focal = 0.5 / Math.tan((fovDeg * Math.PI) / 360);
  return (Math.atan((0.5 - cx) / focal) * 180) / Math.PI;
}

export interface HopSrp {
  hops: number;
  /** [hop][face] steered response at each face's azimuth. */
  face: Float64Array;
  /** [hop] mean and maximum over the direction grid. */
  mean: Float64Array;
  max: Float64Array;
}

/** The steered response per hop at the faces' azimuths and over the grid. */
export function hopSrp(
  channels: ArrayLike<number>[],
  micsMm: Mm,
  faceAz: number[],
  kHi = K_HI,
  weighted = true,
): HopSrp {
  const m = channels.length;
  const n = FFT_SIZE;
  const hops = Math.floor(channels[0].length / HOP);
  const fft = new FFT(n);
  const win = hannWindow();
  const pairs: [number, number][] = [];
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) pairs.push([i, j]);
  // Directions: the faces, then the grid (whole circle for a planar array, the front half for a line).
  // (1e-3 mm: the firmware's f32 positions, turned by 90 degrees, are not exactly equal.)
  const planar = !micsMm.every((q) => Math.abs(q[0] - micsMm[0][0]) < 1e-3);
  const grid: number[] = [];
  for (let d = planar ? -180 : -90; d < (planar ? 180 : 90.001); d += GRID_STEP) grid.push(d);
  const dirs = [...faceAz, ...grid];
  const perMm = SAMPLE_RATE / (SPEED_OF_SOUND * 1000);
  // Phasor per (direction, pair, bin): e^(i 2 pi k tau / n).
  const bins = kHi - K_LO;
  const phasor = dirs.map((deg) => {
    const u = [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)];
    return pairs.map(([i, j]) => {
      const tau =
        ((micsMm[j][0] - micsMm[i][0]) * u[0] + (micsMm[j][1] - micsMm[i][1]) * u[1]) * perMm;
      const re = new Float64Array(bins),
        im = new Float64Array(bins);
      for (let b = 0; b < bins; b++) {
        const a = (2 * Math.PI * (K_LO + b) * tau) / n;
        re[b] = Math.cos(a);
        im[b] = Math.sin(a);
      }
      return { re, im };
    });
  });
  const out: HopSrp = {
    hops,
    face: new Float64Array(hops * faceAz.length),
    mean: new Float64Array(hops),
    max: new Float64Array(hops),
  };
  const spec = channels.map(() => fft.createComplexArray() as number[]);
  const frame = new Array<number>(n);
  const noise = new Float64Array(bins);
  let noiseHops = 0;
  let floorDb = 0;
  const w = new Float64Array(bins);
  const gRe = new Float64Array(bins),
    gIm = new Float64Array(bins);
  for (let k = 0; k < hops; k++) {
    const end = (k + 1) * HOP;
    channels.forEach((x, c) => {
      for (let i = 0; i < n; i++) {
        const j = end - n + i;
        frame[i] = j >= 0 ? x[j] * win[i] : 0;
      }
      fft.realTransform(spec[c], frame);
    });
    // Level and noise as doa.ts: the floor falls at once, rises slowly; quiet hops teach the noise.
    let e = 0;
    for (let i = 0; i < n; i++) {
      const j = end - n + i;
      if (j >= 0) e += channels[0][j] ** 2;
    }
    const level = 10 * Math.log10(e / n + 1e-12);
    floorDb = level < floorDb ? level : floorDb + FLOOR_RISE_DB;
    const s0 = spec[0];
    const quiet = level < floorDb + SPEECH_DB;
    for (let b = 0; b < bins; b++) {
      const q = K_LO + b;
      const pw = s0[2 * q] ** 2 + s0[2 * q + 1] ** 2;
      if (quiet) noise[b] = noiseHops === 0 ? pw : noise[b] * NOISE_KEEP + pw * (1 - NOISE_KEEP);
      w[b] = weighted ? Math.max(0, 1 - (NOISE_OVER * noise[b]) / (pw + 1e-30)) : 1;
      if (!weighted || noiseHops === 0) w[b] = weighted ? (quiet ? 0 : 1) : 1;
    }
    if (quiet) noiseHops++;
    const srp = new Float64Array(dirs.length);
    pairs.forEach(([i, j], p) => {
      const a = spec[i],
        bb = spec[j];
      for (let b = 0; b < bins; b++) {
        const q = K_LO + b;
        const ar = a[2 * q],
          ai = a[2 * q + 1],
          br = bb[2 * q],
          bi = bb[2 * q + 1];
        const cr = ar * br + ai * bi,
          ci = ai * br - ar * bi;
        const inv = w[b] / (Math.hypot(cr, ci) + 1e-30);
        gRe[b] = cr * inv;
        gIm[b] = ci * inv;
      }
      dirs.forEach((_, d) => {
        const ph = phasor[d][p];
        let acc = 0;
        for (let b = 0; b < bins; b++) acc += gRe[b] * ph.re[b] - gIm[b] * ph.im[b];
        srp[d] += acc;
      });
    });
    for (let f = 0; f < faceAz.length; f++) out.face[k * faceAz.length + f] = srp[f];
    let sum = 0,
      mx = -Infinity;
    for (let d = faceAz.length; d < dirs.length; d++) {
      sum += srp[d];
      mx = Math.max(mx, srp[d]);
    }
    out.mean[k] = sum / grid.length;
    out.max[k] = mx;
  }
  return out;
}

/** A face's cue at scene time t over the AUDIO_HOPS hops ending at or before t (features.ts's window). */
export function faceCue(s: HopSrp, faces: number, face: number, t: number): number {
  const last = Math.floor((t * SAMPLE_RATE) / HOP) - 1;
  let f = 0,
    mean = 0,
    mx = 0;
  for (let i = 0; i < AUDIO_HOPS; i++) {
    const k = last - AUDIO_HOPS + 1 + i;
    if (k < 0 || k >= s.hops) continue;
    f += s.face[k * faces + face];
    mean += s.mean[k];
    mx += s.max[k];
  }
  return (f - mean) / (mx - mean + 1e-9);
}

/** Each face's cue against the loudest other face of the same step (0 stands in for the other
 *  faces when there is none: the grid's mean). Chosen on the validation meetings over the cue
 *  alone: the fusion must tell a face from its competitors, not from the room. */
export function relativeCues(c: readonly number[]): number[] {
  return c.map(
    (v, k) => v - Math.max(c.length > 1 ? -Infinity : 0, ...c.filter((_, j) => j !== k)),
  );
}
