// When to re-steer a beam from a stream of direction-of-arrival estimates. Why not at every
// estimate: the first estimates of a new talker, and those taken in babble, point at whatever
// was loudest in the averaged frames (a babble talker, the previous talker, broadside), and a
// sharp beam steered there loses the word being said (the voice-control app's first "marvin"
// of a scene). So the beam follows the estimate only while it stays near where the beam
// points, takes a new direction only after STEER_CONFIRM estimates in a row agree on it, and
// in between (and before the first confirmed direction) listens through microphone 0, which
// hears every direction alike.
// Agreement: within STEER_AGREE_DEG, on the circle. A hold with confirm 0 steers to every
// estimate (the rule before the hold, for comparison).

/** Degrees two estimates (or an estimate and the steering) may differ by and still agree. */
export const STEER_AGREE_DEG: f32 = 20;
/** Estimates in a row that must agree before the beam takes a new direction. */
export const STEER_CONFIRM: i32 = 2;
/** What update() returned: the beam stays as it is, ... */
export const STEER_KEEP: i32 = 0;
/** ... steers to the estimate, ... */
export const STEER_TO: i32 = 1;
/** ... or leaves its direction for microphone 0. */
export const STEER_MIC0: i32 = 2;

/** |a - b| on the circle, degrees 0..180. */
export function angleApart(a: f32, b: f32): f32 {
  let d = Mathf.abs(a - b) % 360.0;
  return d > 180 ? 360 - d : d;
}

export class SteerHold {
  /** The beam's direction, degrees; meaningful while `steered`. */
  azimuthDeg: f32 = 0;
  /** False: microphone 0 (at the start, and while a new direction is not yet confirmed). */
  steered: bool = false;
  private last: f32 = 0;
  private run: i32 = 0; // estimates in a row within STEER_AGREE_DEG of the one before

  constructor(readonly agreeDeg: f32 = STEER_AGREE_DEG, readonly confirm: i32 = STEER_CONFIRM) {}

  /** A new estimate (degrees); returns STEER_KEEP, STEER_TO (azimuthDeg is now the estimate) or STEER_MIC0. */
  update(estimateDeg: f32): i32 {
    this.run = this.run > 0 && angleApart(estimateDeg, this.last) <= this.agreeDeg ? this.run + 1 : 1;
    this.last = estimateDeg;
    if ((this.steered && angleApart(estimateDeg, this.azimuthDeg) <= this.agreeDeg) || this.run >= this.confirm) {
      this.azimuthDeg = estimateDeg;
      this.steered = true;
      return STEER_TO;
    }
    if (!this.steered) return STEER_KEEP;
    this.steered = false;
    return STEER_MIC0;
  }
}
