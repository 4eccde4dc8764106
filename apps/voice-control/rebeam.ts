// Re-beaming the recent past once the beam takes a direction. Why: the DOA's first estimate
// comes about 0.16 s into a word and the hold (firmware/dsp/steer-hold.ts) confirms it a few
// tens of ms later, so the start of a talker's first "marvin" was heard through microphone 0
// (MEASUREMENTS.md "Host and firmware"). So the last REBEAM_MS of raw microphone blocks are kept, and when
// the hold takes a new direction they are beamed again through it (firmware/dsp/beam-past.ts),
// replace the history the models read, and every wake-word and command frame whose samples
// changed is computed again: the wake model's next window is what the steered beam would have
// heard. The work is done between buffers, a unit at a time (one 10 ms block, or one feature
// frame), a unit started only while the last one's cycles still fit under REBEAM_LOAD_PCT of the
// buffer's 40 ms: a 150 MHz core spreads a re-beam over several buffers instead of missing one.
// There a new direction while a re-beam is unfinished re-beams its own span only (`union` false,
// main.ts): in babble the hold took new directions faster than the union's up to 72 blocks were
// done (MEASUREMENTS.md "The beam against microphone 0 through the emulator"). The live AGC stays as
// heard; a detection snippet written to the card later (capture.ts) holds the re-beamed past.
import { BeamPast } from "../../firmware/dsp/beam-past";
import { WW_FRAMES, WW_FRAME } from "../../firmware/dsp/mlperf-ww";
import { KWS_FRAMES, KWS_FRAME } from "../../firmware/dsp/mlperf-kws";
import { History, HISTORY } from "./history";
import { WakeWord } from "./wake";
import { Command } from "./command";
import * as clock from "../../hal/clock";

/** Blocks a re-beam may fall behind the live stream (320 ms) before its oldest kept block is overwritten. */
const LAG_BLOCKS: i32 = 32;

export class Rebeam {
  readonly past: BeamPast;
  private readonly out: usize; // one block int16
  private readonly block: i32;
  private features: bool = false; // the audio is done: frames to compute again
  private spanFrom: u64 = 0; // samples beamed again: [spanFrom, spanTo)
  private spanTo: u64 = 0;
  private slot: i32 = 0; // next feature slot: the wake word's 0..WW_FRAMES-1, then the commands'
  /** Re-beams started / finished; blocks beamed again; feature frames computed again; cycles spent in all, and at most in one buffer. */
  started: u32 = 0;
  finished: u32 = 0;
  blocksDone: u32 = 0;
  framesDone: u32 = 0;
  cycles: u64 = 0;
  worstCycles: u64 = 0;
  /** A new direction while a re-beam is unfinished re-beams the union of both spans (true), or only its own span (false: a slow core, where the union's blocks take too long). */
  union: bool = true;
  private unitCycles: u64 = 0; // the last unit's cost: a unit starts only if that much still fits before the deadline

  constructor(mics: i32, block: i32, ms: i32, readonly beam: usize, readonly cal: usize) {
    this.block = block;
    this.past = new BeamPast(mics, ms / 10, LAG_BLOCKS);
    this.out = heap.alloc(<usize>(block * 2));
  }

  /** The live beam was just steered to a new direction, from block `now` on. */
  start(now: u64): void {
    if (now < 2) return;
    // While an earlier re-beam is unfinished, the span is the union of both (beam-past.ts; without `union` the blocks of the new span only), and the features are redone from the union's start.
    this.past.start(now, this.beam, this.cal, this.union);
    this.spanFrom = this.past.first * <u64>this.block;
    this.spanTo = now * <u64>this.block;
    this.features = false;
    this.started++;
  }

  /** Does units of a pending re-beam while the last unit's cycles still fit before `deadline` (`clock.cycles()`). */
  work(history: History, wake: WakeWord, command: Command, deadline: u64): void {
    if (!this.past.pending && !this.features) return;
    const c0 = clock.cycles();
    let t = c0;
    while ((this.past.pending || this.features) && t + this.unitCycles < deadline) {
      if (this.past.pending) this.audioUnit(history);
      else this.featureUnit(history, wake, command);
      const t1 = clock.cycles();
      this.unitCycles = t1 - t;
      t = t1;
    }
    const used = clock.cycles() - c0;
    this.cycles += used;
    if (used > this.worstCycles) this.worstCycles = used;
  }

  /** One kept block beamed again; it replaces the history's (if still held). */
  private audioUnit(history: History): void {
    const block = this.past.next(this.out);
    this.blocksDone++;
    if (block >= 0) {
      const first = <u64>block * <u64>this.block;
      if (history.count - first <= <u64>HISTORY) for (let i = 0; i < this.block; i++) history.set(first + <u64>i, load<i16>(this.out + (<usize>i << 1)));
    }
    if (!this.past.pending) { this.features = true; this.slot = 0; }
  }

  /** The next feature frame whose samples overlap the span, computed again (the wake word's ring, then the commands'). */
  private featureUnit(history: History, wake: WakeWord, command: Command): void {
    while (this.slot < WW_FRAMES + KWS_FRAMES) {
      const s = this.slot++;
      const ww = s < WW_FRAMES;
      const end = ww ? wake.frameEndAt(s) : command.frameEndAt(s - WW_FRAMES);
      const len = ww ? WW_FRAME + 1 : KWS_FRAME;
      if (end == 0 || end <= this.spanFrom || end - <u64>len >= this.spanTo || history.count - end + <u64>len > <u64>HISTORY) continue;
      if (ww) wake.frame(history, end, s);
      else command.frame(history, end, s - WW_FRAMES);
      this.framesDone++;
      return;
    }
    this.features = false;
    this.finished++;
    this.past.settle();
  }
}
