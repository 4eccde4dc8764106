// Room impulse responses by the image-source method for a rectangular room (Allen and
// Berkley, "Image method for efficiently simulating small-room acoustics", JASA 65(4), 1979).
//
// Every image of the source behind the walls contributes a delayed impulse of amplitude
// Π β_wall^reflections / r. Unlike the paper, which rounds each delay to a whole sample, the
// impulse is placed at its exact fractional delay by a Hann-windowed sinc (so inter-mic time
// differences below one sample survive, which direction finding needs). The paper's
// high-pass filter (cut-off 100 Hz) is applied afterwards: the image sum of a lossy room has
// a DC offset that a real room does not.
import { SPEED_OF_SOUND, type Vec3, type Walls } from "./room-geometry.ts";

/** Half-width of the fractional-delay sinc in samples for the direct path and early reflections (65 taps). */
export const SINC_HALF_WIDTH = 32;
/**
 * Half-width for the late, diffuse tail (17 taps): there thousands of images overlap and
 * only their energy matters, and the narrow kernel makes long rooms ~3x faster.
 */
export const LATE_SINC_HALF_WIDTH = 8;
/** Images arriving later than this after the direct sound use the short kernel. */
export const EARLY_PART_SECONDS = 0.05;
const TABLE_STEPS = 512; // table points per sample; linear interpolation in between
const EARLY_KERNEL = buildSincTable(SINC_HALF_WIDTH);
const LATE_KERNEL = buildSincTable(LATE_SINC_HALF_WIDTH);

function buildSincTable(half: number): Float64Array {
  const n = 2 * half * TABLE_STEPS + 2;
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = i / TABLE_STEPS - half;
    if (Math.abs(x) >= half) continue;
    const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    t[i] = sinc * 0.5 * (1 + Math.cos((Math.PI * x) / half));
  }
  return t;
}

export interface ShoeboxRoom {
  size: Vec3;
  /** Pressure reflection coefficient per wall (see Walls for the order). */
  beta: Walls;
}

export interface IrOptions {
  sampleRate: number;
  /** Samples of response to compute. */
  length: number;
  /** Apply Allen and Berkley's 100 Hz high-pass (default true). */
  highPass?: boolean;
}

/** Adds a unit impulse at fractional sample position `tau`, scaled by `gain`. */
export function addFractionalImpulse(
  out: Float64Array,
  tau: number,
  gain: number,
  late = false,
): void {
  const half = late ? LATE_SINC_HALF_WIDTH : SINC_HALF_WIDTH;
  const table = late ? LATE_KERNEL : EARLY_KERNEL;
  const first = Math.max(0, Math.ceil(tau - half));
  const last = Math.min(out.length - 1, Math.floor(tau + half));
  // Taps are a whole sample apart, so every tap has the same fractional table position.
  const pos = (first - tau + half) * TABLE_STEPS;
  let i = Math.floor(pos);
  const f = pos - i;
  for (let n = first; n <= last; n++, i += TABLE_STEPS)
    out[n] += gain * (table[i] + f * (table[i + 1] - table[i]));
}

interface AxisImage {
  /** Signed distance component from the microphone to the image along this axis. */
  d: number;
  /** Product of the reflection coefficients met along this axis. */
  gain: number;
}

/** The images along one axis whose offset from the microphone is within `reach`. */
function axisImages(
  src: number,
  mic: number,
  len: number,
  b0: number,
  b1: number,
  reach: number,
): AxisImage[] {
  const out: AxisImage[] = [];
  const lMax = Math.ceil(reach / (2 * len)) + 1;
  for (let l = -lMax; l <= lMax; l++) {
    for (let u = 0; u <= 1; u++) {
      const d = (1 - 2 * u) * src + 2 * l * len - mic;
      if (Math.abs(d) > reach) continue;
      // |l - u| reflections off the wall at 0, |l| off the wall at len.
      out.push({ d, gain: Math.pow(b0, Math.abs(l - u)) * Math.pow(b1, Math.abs(l)) });
    }
  }
  return out;
}

/**
 * The impulse response from `source` to `mic` (room positions in metres), with 1/r spreading
 * normalised to 1 m: a source 1 m away in free field gives a unit direct-path impulse.
 */
export function roomImpulseResponse(
  room: ShoeboxRoom,
  source: Vec3,
  mic: Vec3,
  o: IrOptions,
): Float64Array {
  const fs = o.sampleRate;
  const ir = new Float64Array(o.length);
  const reach = ((o.length + SINC_HALF_WIDTH) / fs) * SPEED_OF_SOUND;
  const reach2 = reach * reach;
  const [bx0, bx1, by0, by1, bz0, bz1] = room.beta;
  const xs = axisImages(source[0], mic[0], room.size[0], bx0, bx1, reach);
  const ys = axisImages(source[1], mic[1], room.size[1], by0, by1, reach);
  const zs = axisImages(source[2], mic[2], room.size[2], bz0, bz1, reach);
  const samplesPerMetre = fs / SPEED_OF_SOUND;
  const direct = Math.hypot(source[0] - mic[0], source[1] - mic[1], source[2] - mic[2]);
  const early = direct + EARLY_PART_SECONDS * SPEED_OF_SOUND; // metres of path
  for (const x of xs) {
    const x2 = x.d * x.d;
    for (const y of ys) {
      const xy2 = x2 + y.d * y.d;
      if (xy2 > reach2) continue;
      const gxy = x.gain * y.gain;
      for (const z of zs) {
        const r2 = xy2 + z.d * z.d;
        if (r2 > reach2) continue;
        const r = Math.sqrt(r2);
        addFractionalImpulse(
          ir,
          r * samplesPerMetre,
          (gxy * z.gain) / Math.max(r, 1e-3),
          r > early,
        );
      }
    }
  }
  if (o.highPass !== false) allenBerkleyHighPass(ir, fs);
  return ir;
}

/**
 * Allen and Berkley's DC-removing filter: zeros at z = 1 and z = R, poles at R·e^(±jW), with
 * W = 2π·100 Hz / fs and R = e^(−W). Applied in place.
 */
export function allenBerkleyHighPass(x: Float64Array, fs: number): void {
  const w = (2 * Math.PI * 100) / fs;
  const r = Math.exp(-w);
  const a1 = 2 * r * Math.cos(w),
    a2 = -r * r; // feedback
  const b1 = -(1 + r),
    b2 = r; // feed-forward after the recursive part
  let y1 = 0,
    y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const y0 = x[i] + a1 * y1 + a2 * y2;
    x[i] = y0 + b1 * y1 + b2 * y2;
    y2 = y1;
    y1 = y0;
  }
}
