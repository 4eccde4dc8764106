// The shoebox room and where things sit in it: Sabine's reverberation formula, the
// microphone array's placement and orientation, and talker directions relative to the array.
// Room frame: metres, origin at a floor corner, x along the length, y along the width, z up.
import type { MicGeometry } from "../mic-source.ts";

export type Vec3 = [number, number, number];

/** Walls in the order x = 0, x = Lx, y = 0, y = Ly, z = 0 (floor), z = Lz (ceiling). */
export type Walls = [number, number, number, number, number, number];

export const SPEED_OF_SOUND = 343; // m/s in air at 20 °C
/** Sabine's constant 24·ln(10)/c in s/m at c = 343 m/s (the textbook 0.161). */
export const SABINE = 0.161;

export function volume(size: Vec3): number {
  return size[0] * size[1] * size[2];
}

/** Wall areas in the Walls order. */
export function wallAreas([lx, ly, lz]: Vec3): Walls {
  return [ly * lz, ly * lz, lx * lz, lx * lz, lx * ly, lx * ly];
}

/** Sabine RT60 = 0.161·V / Σ(S_i·α_i) in seconds. */
export function sabineRt60(size: Vec3, absorption: Walls): number {
  const areas = wallAreas(size);
  let sa = 0;
  for (let i = 0; i < 6; i++) sa += areas[i] * absorption[i];
  return (SABINE * volume(size)) / sa;
}

/** The uniform absorption coefficient that gives `rt60` by Sabine (may exceed 1: the caller checks). */
export function sabineAbsorption(size: Vec3, rt60: number): number {
  const areas = wallAreas(size);
  const s = areas.reduce((a, b) => a + b, 0);
  return (SABINE * volume(size)) / (s * rt60);
}

/** Pressure reflection coefficients β = √(1 − α) per wall. */
export function reflectionCoefficients(absorption: Walls): Walls {
  return absorption.map((a) => Math.sqrt(1 - a)) as Walls;
}

/** Orientation of the array in the room, in degrees: yaw about z, then pitch, then roll. */
export interface Orientation {
  azimuth: number;
  elevation: number;
  roll: number;
}

/** Rotation matrix (row-major 3x3) taking array-frame vectors to room-frame vectors. */
export function rotation(o: Orientation): number[] {
  const [a, e, r] = [o.azimuth, o.elevation, o.roll].map((d) => (d * Math.PI) / 180);
  const ca = Math.cos(a),
    sa = Math.sin(a),
    ce = Math.cos(e),
    se = Math.sin(e),
    cr = Math.cos(r),
    sr = Math.sin(r);
  // Rz(a) · Ry(-e) · Rx(r): a positive elevation tilts the array's x axis upwards.
  const rz = [ca, -sa, 0, sa, ca, 0, 0, 0, 1];
  const ry = [ce, 0, -se, 0, 1, 0, se, 0, ce];
  const rx = [1, 0, 0, 0, cr, -sr, 0, sr, cr];
  return mul(mul(rz, ry), rx);
}

function mul(p: number[], q: number[]): number[] {
  const out = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++)
      for (let k = 0; k < 3; k++) out[3 * i + j] += p[3 * i + k] * q[3 * k + j];
  return out;
}

export function apply(m: number[], v: readonly number[]): Vec3 {
  return [
    m[0] * v[0] + m[1] * v[1] + m[2] * v[2],
    m[3] * v[0] + m[4] * v[1] + m[5] * v[2],
    m[6] * v[0] + m[7] * v[1] + m[8] * v[2],
  ];
}

/** The centroid of the microphones in the board frame, in metres. */
export function arrayCentroid(geometry: MicGeometry): Vec3 {
  const c: Vec3 = [0, 0, 0];
  for (const p of geometry.positionsMm)
    for (let i = 0; i < 3; i++) c[i] += p[i] / 1000 / geometry.positionsMm.length;
  return c;
}

/** Microphone positions in the room when the array's centroid sits at `center`. */
export function placeMicrophones(geometry: MicGeometry, center: Vec3, o: Orientation): Vec3[] {
  const c = arrayCentroid(geometry);
  const rot = rotation(o);
  return geometry.positionsMm.map((p) => {
    const local = [p[0] / 1000 - c[0], p[1] / 1000 - c[1], p[2] / 1000 - c[2]];
    const v = apply(rot, local);
    return [center[0] + v[0], center[1] + v[1], center[2] + v[2]];
  });
}

/**
 * The room position at `dist` metres from the array centre in direction (az, el), degrees in
 * the array's frame: azimuth from the array's +x axis towards +y, elevation up from its x-y plane.
 */
export function pointFromArray(
  center: Vec3,
  o: Orientation,
  az: number,
  el: number,
  dist: number,
): Vec3 {
  const a = (az * Math.PI) / 180,
    e = (el * Math.PI) / 180;
  const v = apply(rotation(o), [
    dist * Math.cos(e) * Math.cos(a),
    dist * Math.cos(e) * Math.sin(a),
    dist * Math.sin(e),
  ]);
  return [center[0] + v[0], center[1] + v[1], center[2] + v[2]];
}

export function distance(p: readonly number[], q: readonly number[]): number {
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

export function insideRoom(p: readonly number[], size: Vec3): boolean {
  return p.every((v, i) => v > 0 && v < size[i]);
}
