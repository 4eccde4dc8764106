/**
 * Vibration of a small axial fan as a 3-axis accelerometer strapped to its housing feels it:
 * `gen:off`, `gen:on`, `gen:clogged`, `gen:friction` (the four states of NXP's ML state
 * monitor), each `,rpm=1800,blades=5,orient=z,tilt=0,yaw=0,gain=1,noise=0.003,bw=80,seed=1`.
 *
 * The physics, in the fan's frame (a = rotation axis, r1/r2 = the rotor plane):
 * - Rotor imbalance: a force rotating at the shaft frequency fr = rpm/60, so a radial
 *   vibration at 1x (elliptical: the mount is stiffer one way) with 2x and 3x harmonics from
 *   misalignment and looseness. Centrifugal force grows as rpm^2.
 * - Blade pass: each blade passing a strut pushes the air, an axial tone at blades x fr.
 * - Airflow turbulence: broadband, mostly axial; modelled as a sum of tones of random
 *   frequency and phase (a pure function of time, unlike filtered noise).
 * - clogged: a blocked inlet unloads the rotor (the fan runs ~10 % faster), the blade-pass
 *   tone collapses with the airflow, and the stalled flow buffets the housing at low
 *   frequency (2–12 Hz).
 * - friction: a rubbing bearing drags the rotor (~8 % slower), adds broadband (white)
 *   energy across the band and sub-harmonics at 1/2 and 3/2 of the shaft frequency (rub contact
 *   once every other turn).
 * - off: nothing turns; gravity and the sensor's own noise.
 * Each fan instance (seed) varies its imbalance, harmonic mix and turbulence tones.
 *
 * Mounting: the fan's axis sits at `tilt` degrees from the sensor's up axis (`orient`, which
 * reads +1 g), turned by `yaw` about it. `gain` is the sensor's sensitivity error (it scales
 * gravity too). The emulated sensor samples without filtering, so the generator applies the
 * sensor's anti-aliasing low-pass itself (`bw`, 2nd-order Butterworth magnitude per tone).
 */
import {
  GRAVITY_NOISE_OPTIONS,
  WhiteNoise,
  axisIndex,
  registerAccelGenerator,
  type AccelSampleFn,
  type GenOptionSpec,
  type GenOptions,
} from "./accel-generators.ts";

export const FAN_STATES = ["off", "on", "clogged", "friction"] as const;
export type FanState = (typeof FAN_STATES)[number];

export const FAN_OPTIONS = {
  rpm: { help: "shaft speed when running normally, rev/min", default: 1800, min: 60, max: 12_000 },
  blades: { help: "number of blades", default: 5, min: 2, max: 16, integer: true },
  ...GRAVITY_NOISE_OPTIONS,
  noise: { help: "white sensor noise, g RMS per axis", default: 0.003, min: 0, max: 1 },
  tilt: { help: "angle of the fan axis from the up axis, degrees", default: 0, min: 0, max: 180 },
  yaw: { help: "turn of the fan about the up axis, degrees", default: 0, min: -360, max: 360 },
  gain: { help: "sensor sensitivity, 1 = exact", default: 1, min: 0.1, max: 10 },
  bw: { help: "sensor anti-aliasing bandwidth, Hz", default: 80, min: 1, max: 100_000 },
} as const satisfies Record<string, GenOptionSpec>;

/** Per-instance randomness from the seed (a different stream from the sensor noise). */
function uniformStream(seed: number): () => number {
  let s = (seed ^ 0x5bd1e995) >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let z = Math.imul(s ^ (s >>> 15), s | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

/** One sinusoid on one fan-frame axis (0 = axial, 1 = r1, 2 = r2). */
interface Tone {
  axis: number;
  amp: number;
  omega: number;
  phase: number;
}

const REF_RPM = 1800;

/** The tones of a fan in `state` and its broadband (white) vibration, g before the sensor's gain. */
function fanTones(state: FanState, o: GenOptions): { tones: Tone[]; broadband: number } {
  if (state === "off") return { tones: [], broadband: 0 };
  const rnd = uniformStream(Number(o.seed));
  const vary = (lo: number, hi: number) => lo + (hi - lo) * rnd();
  const speed = state === "clogged" ? 1.1 : state === "friction" ? 0.92 : 1;
  const fr = (Number(o.rpm) * speed) / 60;
  const load = ((fr * 60) / REF_RPM) ** 2; // centrifugal and aerodynamic forces ~ rpm^2
  const tones: Tone[] = [];
  const add = (axis: number, amp: number, hz: number, phase = 2 * Math.PI * rnd()) =>
    tones.push({ axis, amp, omega: 2 * Math.PI * hz, phase });

  // Imbalance: rotating radial force (elliptical), with 2x/3x harmonics.
  const imbalance = 0.06 * load * vary(0.6, 1.4);
  const ellipse = vary(0.6, 0.9);
  for (const [k, rel] of [
    [1, 1],
    [2, vary(0.15, 0.35)],
    [3, vary(0.05, 0.15)],
  ]) {
    const ph = 2 * Math.PI * rnd();
    add(1, imbalance * rel, k * fr, ph);
    add(2, imbalance * rel * ellipse, k * fr, ph + Math.PI / 2);
    add(0, imbalance * rel * 0.15, k * fr);
  }
  // Blade pass, axial; collapses when the airflow is blocked.
  const airflow = state === "clogged" ? vary(0.15, 0.3) : 1;
  add(0, 0.05 * load * airflow * vary(0.7, 1.3), Number(o.blades) * fr);
  add(0, 0.015 * load * airflow * vary(0.5, 1.5), 2 * Number(o.blades) * fr);
  // Airflow turbulence: 24 random tones over 5..90 Hz, mostly axial.
  const turbulence = 0.012 * load * airflow;
  for (let i = 0; i < 24; i++)
    add(i % 3 === 0 ? 1 : 0, turbulence / Math.sqrt(24 / 2), vary(5, 90));

  if (state === "clogged") {
    // Stall buffeting: strong low-frequency, axial and radial.
    const buffet = 0.05 * load * vary(0.7, 1.3);
    for (let i = 0; i < 12; i++) add(i % 2 === 0 ? 0 : 2, buffet / Math.sqrt(12 / 2), vary(2, 12));
  }
  if (state === "friction") {
    // Rubbing: sub-harmonics, and broadband energy over the whole band.
    add(1, imbalance * vary(0.6, 1.0), 0.5 * fr);
    add(2, imbalance * vary(0.4, 0.8), 0.5 * fr);
    add(1, imbalance * vary(0.3, 0.5), 1.5 * fr);
    // Rub contact is impulsive: its energy spreads over the whole band (white, per axis),
    // growing with the sliding speed.
    return { tones, broadband: 0.035 * Math.sqrt(load) * vary(0.7, 1.3) };
  }
  return { tones, broadband: 0 };
}

/** |H(f)| of a 2nd-order Butterworth low-pass: what the sensor's filter leaves of a tone. */
function lowPassGain(hz: number, cutoff: number): number {
  return 1 / Math.sqrt(1 + (hz / cutoff) ** 4);
}

/** Fan frame (axial, r1, r2) -> sensor frame: columns are where each fan axis points. */
function mountMatrix(o: GenOptions): number[][] {
  const orient = String(o.orient);
  const up = axisIndex(orient);
  const sign = orient.startsWith("-") ? -1 : 1;
  // Two sensor axes completing a right-handed frame with the up axis.
  const u = [0, 0, 0];
  u[up] = sign;
  const p = [0, 0, 0];
  p[(up + 1) % 3] = 1;
  const q = [u[1] * p[2] - u[2] * p[1], u[2] * p[0] - u[0] * p[2], u[0] * p[1] - u[1] * p[0]];
  const tilt = (Number(o.tilt) * Math.PI) / 180;
  const yaw = (Number(o.yaw) * Math.PI) / 180;
  const mix = (a: number[], b: number[], c: number[], ka: number, kb: number, kc: number) =>
    [0, 1, 2].map((i) => ka * a[i] + kb * b[i] + kc * c[i]);
  // The fan axis leans by tilt from up towards the horizontal direction at angle yaw.
  const horiz = mix(p, q, u, Math.cos(yaw), Math.sin(yaw), 0);
  const side = mix(p, q, u, -Math.sin(yaw), Math.cos(yaw), 0);
  const axial = mix(u, horiz, side, Math.cos(tilt), Math.sin(tilt), 0);
  const r1 = mix(u, horiz, side, -Math.sin(tilt), Math.cos(tilt), 0);
  return [axial, r1, side];
}

/** The acceleration a fan in `state` makes the sensor read, as a function of time. */
export function fanVibration(state: FanState, o: GenOptions): AccelSampleFn {
  const gain = Number(o.gain);
  const bw = Number(o.bw);
  const frame = mountMatrix(o);
  const orient = String(o.orient);
  const gravity = [0, 0, 0];
  gravity[axisIndex(orient)] = orient.startsWith("-") ? -gain : gain;
  // Each tone reduced to (sensor-axis weights x amplitude): three multiply-adds per tone.
  const fan = fanTones(state, o);
  const tones = fan.tones
    .map((t) => {
      const amp = t.amp * gain * lowPassGain(t.omega / (2 * Math.PI), bw);
      return { omega: t.omega, phase: t.phase, w: frame[t.axis].map((c) => c * amp) };
    })
    .filter((t) => t.w.some((c) => c !== 0));
  const noise = new WhiteNoise(Number(o.noise), Number(o.seed));
  const rub = new WhiteNoise(fan.broadband * gain, Number(o.seed) ^ 0x2545f491);
  return (t, out) => {
    out[0] = gravity[0];
    out[1] = gravity[1];
    out[2] = gravity[2];
    for (const tone of tones) {
      const s = Math.sin(tone.omega * t + tone.phase);
      out[0] += tone.w[0] * s;
      out[1] += tone.w[1] * s;
      out[2] += tone.w[2] * s;
    }
    noise.addAt(t, out);
    rub.addAt(t, out);
  };
}

const HELP: Record<FanState, string> = {
  off: "fan stopped: gravity and sensor noise (fan options accepted for symmetry)",
  on: "fan running normally: imbalance 1x/2x/3x, blade pass, airflow turbulence",
  clogged: "fan with a blocked inlet: faster, blade pass collapsed, low-frequency stall buffeting",
  friction: "fan with a rubbing bearing: slower, sub-harmonics, broadband energy",
};

for (const state of FAN_STATES) {
  registerAccelGenerator(state, {
    help: HELP[state],
    options: FAN_OPTIONS,
    create: (o) => fanVibration(state, o),
  });
}
