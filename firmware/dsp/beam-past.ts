// The superdirective beam heard again over the recent past: the raw microphone blocks of the
// last `blocks` (int16, the front end's float input times 32768) are kept with the AGC's gain
// at each block's end; start() copies the live beam's state (its weights as just steered, its
// stream forgotten, the calibration's gains frozen) and next() runs the kept blocks through the
// copy one at a time, the two blocks before the span first (not output: a frame spans two
// hops and the overlap-add carries the frame before, so block j needs j - 2 and j - 1), and
// applies the recorded gain as agc.ts applied it (a ramp within the block from the previous
// block's gain, then the clip). So block j comes out as the beam steered from the start would
// have given it, at the AGC's level as heard. Why: the voice-control app's beam takes a
// direction only a few tens of ms after a word's start (steer-hold.ts), and the wake word's
// window should hear the word through that beam (apps/voice-control/rebeam.ts).
// A new direction before the caller has settled() an earlier re-beam (its blocks, or what the
// caller derives from them, still being redone) restarts over both spans, as far back as blocks
// are kept: otherwise the earlier span's blocks not yet redone stay in the old direction and what
// was derived from the part already redone is never redone (`first` says where the union starts).
import { sdStateBytes, sdProcess, sdReset, sdCalibrate, SD_HOP } from "./superdirective";
import { calStateBytes, calLearn } from "./mic-calibration";
import { agcRamp } from "./agc";

/** Blocks run through the copy before the first it gives. */
const PRIME: i32 = 2;

export class BeamPast {
  private readonly ring: i32; // kept blocks: the span, the two before it and `lag`
  private readonly raw: usize; // ring x mics x SD_HOP int16, a block's channels one after another
  private readonly gains: usize; // ring f32: the AGC's linear gain at each block's end
  private readonly state: usize; // the beam's copy
  private readonly cal: usize; // the calibration's copy, or 0
  private readonly planar: usize; // one block, mics x SD_HOP f32
  private readonly beamed: usize; // one block f32
  private recorded: u64 = 0; // blocks kept since the start
  private cursor: u64 = 0; // next block to beam again
  private until: u64 = 0; // first block not beamed again
  private prime: i32 = 0; // blocks still to run through the copy before its output is right
  private unsettled: bool = false; // a re-beam started and not yet settle()d by the caller
  /** The first block re-beamed since the caller last settled: the union of overlapping re-beams' spans (meaningful after start()). */
  first: u64 = 0;

  /** `blocks` of SD_HOP samples re-beamed at most; a re-beam may fall `lag` blocks behind the live stream before its oldest block is overwritten. */
  constructor(readonly mics: i32, readonly blocks: i32, lag: i32) {
    this.ring = blocks + PRIME + lag;
    this.raw = heap.alloc(<usize>(this.ring * mics * SD_HOP * 2));
    this.gains = heap.alloc(<usize>(this.ring * 4));
    this.state = heap.alloc(<usize>sdStateBytes(mics));
    this.cal = heap.alloc(<usize>calStateBytes(mics));
    this.planar = heap.alloc(<usize>(mics * SD_HOP * 4));
    this.beamed = heap.alloc(<usize>(SD_HOP * 4));
  }

  /** SRAM this keeps. */
  get bytes(): i32 {
    return this.ring * (this.mics * SD_HOP * 2 + 4) + sdStateBytes(this.mics) + calStateBytes(this.mics) + this.mics * SD_HOP * 4 + SD_HOP * 4;
  }

  /** A re-beam has blocks left. */
  get pending(): bool {
    return this.cursor < this.until;
  }

  /** The live block's input (planar f32, mics x SD_HOP) and the AGC's linear gain at its end; once per block, in order. */
  keep(planar: usize, gain: f32): void {
    const dst = this.slot(this.recorded);
    const n = this.mics * SD_HOP;
    for (let i = 0; i < n; i++) {
      let v = <i32>Mathf.round(load<f32>(planar + (<usize>i << 2)) * 32768.0);
      v = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
      store<i16>(dst + (<usize>i << 1), <i16>v);
    }
    store<f32>(this.gains + (<usize>(<i32>(this.recorded % <u64>this.ring)) << 2), gain);
    this.recorded++;
  }

  /** The live superdirective `beam` (with calibration `cal`, or 0) was steered from block `now` on (not yet kept): beam the blocks before it again (and an unsettled re-beam's). Returns the first block the re-beam gives. */
  start(now: u64, beam: usize, cal: usize, union: bool = true): u64 {
    memory.copy(this.state, beam, <usize>sdStateBytes(this.mics));
    sdReset(this.state);
    if (cal != 0) {
      memory.copy(this.cal, cal, <usize>calStateBytes(this.mics));
      calLearn(this.cal, false);
    }
    sdCalibrate(this.state, cal != 0 ? this.cal : 0);
    let from = now > <u64>(this.blocks + PRIME) ? now - <u64>this.blocks : <u64>PRIME;
    if (this.unsettled && this.first < from) {
      // Back over the unsettled re-beam's span too, from the oldest block still kept (now is the next block to be kept).
      // Without `union` only the new span is beamed again, and `first` stays where the earlier span began (what was derived from its blocks changed too).
      const oldest = now + <u64>PRIME > <u64>this.ring ? now + <u64>PRIME - <u64>this.ring : <u64>PRIME;
      if (union) from = this.first > oldest ? this.first : oldest;
    } else this.first = from;
    this.unsettled = true;
    this.cursor = from - <u64>PRIME;
    this.until = now;
    this.prime = PRIME;
    return from;
  }

  /** The caller has redone what it derives from the re-beamed blocks: the next start() begins a span of its own. */
  settle(): void {
    this.unsettled = false;
  }

  /** Beams the next kept block again into `out` (SD_HOP int16); returns its block number, or -1 if it only primed the copy. */
  next(out: usize): i64 {
    // Fallen so far behind that the block was overwritten: on from the oldest kept one, filling the overlap again.
    const oldest = this.recorded > <u64>this.ring ? this.recorded - <u64>this.ring : 0; // blocks [recorded - ring, recorded) are held
    if (this.cursor < oldest) { this.cursor = oldest; this.prime = PRIME; }
    const src = this.slot(this.cursor);
    const n = this.mics * SD_HOP;
    for (let i = 0; i < n; i++) store<f32>(this.planar + (<usize>i << 2), <f32>load<i16>(src + (<usize>i << 1)) * (1.0 / 32768.0));
    sdProcess(this.state, this.planar, this.beamed);
    const block = this.cursor++;
    if (this.prime > 0) { this.prime--; return -1; }
    // The AGC's ramp from the previous block's recorded gain to this one's, as it was applied live.
    const from = load<f32>(this.gains + (<usize>(<i32>((block - 1) % <u64>this.ring)) << 2));
    const to = load<f32>(this.gains + (<usize>(<i32>(block % <u64>this.ring)) << 2));
    agcRamp(this.beamed, this.beamed, SD_HOP, from, to);
    for (let i = 0; i < SD_HOP; i++) store<i16>(out + (<usize>i << 1), <i16>(<i32>Mathf.round(load<f32>(this.beamed + (<usize>i << 2)) * 32767.0)));
    return <i64>block;
  }

  @inline private slot(block: u64): usize {
    return this.raw + <usize>(<i32>(block % <u64>this.ring) * this.mics * SD_HOP * 2);
  }
}
