// Re-beaming the recent past once the beam's direction is confirmed. Why: the DOA's first
// estimate comes about 0.16 s into a word and the hold (firmware/dsp/steer-hold.ts) confirms it
// a few tens of ms later, so the start of a talker's first "marvin" was heard through
// microphone 0 (README "Host and firmware"). So the raw microphone blocks of the last REBEAM_MS
// are kept (int16, as the front end's float input times 32768) with the AGC's gain at each
// block; when the beam takes a new direction, a copy of the superdirective beam's state (the new
// weights, its stream forgotten, the calibration's gains frozen) beams those blocks again, the
// recorded gains are applied as the AGC applied them, and the result replaces the history the
// models read; then every wake-word and command frame whose samples changed is computed again.
// So the wake model's next window is what the steered beam would have heard.
// The work is done between buffers, a unit at a time (one 10 ms block, or one feature frame),
// while the buffer's cycles stay under REBEAM_LOAD_PCT of its 40 ms: a 150 MHz core spreads a
// re-beam over several buffers instead of missing one. What was captured to the card
// (capture.ts) and the live AGC are left as they were heard.
import { sdStateBytes, sdProcess, sdReset, sdCalibrate } from "../../firmware/dsp/superdirective";
import { calStateBytes, calLearn } from "../../firmware/dsp/mic-calibration";
import { WW_FRAMES, WW_FRAME } from "../../firmware/dsp/mlperf-ww";
import { KWS_FRAMES, KWS_FRAME } from "../../firmware/dsp/mlperf-kws";
import { History, HISTORY } from "./history";
import { WakeWord } from "./wake";
import { Command } from "./command";
import * as clock from "../../hal/clock";

const IDLE: i32 = 0;
const AUDIO: i32 = 1; // beaming the kept blocks again
const FEATURES: i32 = 2; // computing the frames they touch again
/** Blocks a re-beam may fall behind the live stream before its oldest kept block is overwritten. */
const LAG_BLOCKS: i32 = 32;

export class Rebeam {
  /** Blocks of re-beamed past (REBEAM_MS / 10). */
  readonly blocks: i32;
  private readonly ring: i32; // kept blocks: the span, the one before it (primes the beam's overlap) and the lag
  private readonly raw: usize; // ring x mics x block int16, a block's channels one after another
  private readonly gains: usize; // ring f32: the AGC's linear gain at each block's end
  private readonly state: usize; // the beam's copy
  private readonly cal: usize; // the calibration's copy, or 0
  private readonly planar: usize; // one block, mics x block f32
  private readonly out: usize; // one block f32
  private recorded: u64 = 0; // blocks kept since boot
  private phase: i32 = IDLE;
  private cursor: u64 = 0; // next block to beam again
  private prime: bool = false; // the next block only primes the beam's overlap (not written)
  private until: u64 = 0; // first block not re-beamed (the live beam was steered from it on)
  private spanFrom: u64 = 0; // samples re-beamed: [spanFrom, spanTo)
  private spanTo: u64 = 0;
  private slot: i32 = 0; // next feature slot: wake word's 0..WW_FRAMES-1, then the commands'
  /** Re-beams started / finished; blocks beamed again; feature frames computed again; largest cycles spent in one buffer. */
  started: u32 = 0;
  finished: u32 = 0;
  blocksDone: u32 = 0;
  framesDone: u32 = 0;
  worstCycles: u64 = 0;

  constructor(
    readonly mics: i32,
    readonly block: i32,
    ms: i32,
    readonly beam: usize,
    readonly liveCal: usize,
  ) {
    this.blocks = ms / 10;
    this.ring = this.blocks + 1 + LAG_BLOCKS;
    this.raw = heap.alloc(<usize>(this.ring * mics * block * 2));
    this.gains = heap.alloc(<usize>(this.ring * 4));
    this.state = heap.alloc(<usize>sdStateBytes(mics));
    this.cal = liveCal != 0 ? heap.alloc(<usize>calStateBytes(mics)) : 0;
    this.planar = heap.alloc(<usize>(mics * block * 4));
    this.out = heap.alloc(<usize>(block * 4));
  }

  /** Bytes this re-beam keeps (SRAM). */
  get bytes(): i32 {
    return (
      this.ring * this.mics * this.block * 2 +
      this.ring * 4 +
      sdStateBytes(this.mics) +
      (this.liveCal != 0 ? calStateBytes(this.mics) : 0) +
      this.mics * this.block * 4 +
      this.block * 4
    );
  }

  /** The live block's input (planar f32, mics x block) and the AGC's linear gain at its end; called once per block, in order. */
  keep(planar: usize, gain: f32): void {
    const slot = <i32>(this.recorded % <u64>this.ring);
    const dst = this.raw + <usize>(slot * this.mics * this.block * 2);
    const n = this.mics * this.block;
    for (let i = 0; i < n; i++) {
      let v = <i32>Mathf.round(load<f32>(planar + ((<usize>i) << 2)) * 32768.0);
      v = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
      store<i16>(dst + ((<usize>i) << 1), <i16>v);
    }
    store<f32>(this.gains + ((<usize>slot) << 2), gain);
    this.recorded++;
  }

  /** The live beam was just steered to a new direction, from block `now` on (not yet kept): beam the blocks before it again. */
  start(now: u64): void {
    if (now < 2) return;
    memory.copy(this.state, this.beam, <usize>sdStateBytes(this.mics));
    sdReset(this.state);
    if (this.cal != 0) {
      memory.copy(this.cal, this.liveCal, <usize>calStateBytes(this.mics));
      calLearn(this.cal, false);
      sdCalibrate(this.state, this.cal);
    }
    const from = now > <u64>this.blocks + 1 ? now - <u64>this.blocks : 1;
    this.cursor = from - 1;
    this.prime = true;
    this.until = now;
    this.spanFrom = from * <u64>this.block;
    this.spanTo = now * <u64>this.block;
    this.phase = AUDIO;
    this.started++;
  }

  /** Does units of a pending re-beam until `clock.cycles()` reaches `deadline`. */
  work(history: History, wake: WakeWord, command: Command, deadline: u64): void {
    if (this.phase == IDLE) return;
    const c0 = clock.cycles();
    while (this.phase != IDLE && clock.cycles() < deadline) {
      if (this.phase == AUDIO) this.audioUnit(history);
      else this.featureUnit(history, wake, command);
    }
    const used = clock.cycles() - c0;
    if (used > this.worstCycles) this.worstCycles = used;
  }

  /** One kept block through the beam's copy; its output (delayed a block by the beam, as live) replaces the history's. */
  private audioUnit(history: History): void {
    // Fallen so far behind that the block was overwritten: skip to the oldest kept one and prime again.
    const oldest = this.recorded - <u64>this.ring + 1;
    if (this.recorded >= <u64>this.ring && this.cursor < oldest) {
      this.cursor = oldest;
      this.prime = true;
    }
    const slot = <i32>(this.cursor % <u64>this.ring);
    const src = this.raw + <usize>(slot * this.mics * this.block * 2);
    const n = this.mics * this.block;
    for (let i = 0; i < n; i++)
      store<f32>(
        this.planar + ((<usize>i) << 2),
        <f32>load<i16>(src + ((<usize>i) << 1)) * (1.0 / 32768.0),
      );
    sdProcess(this.state, this.planar, this.out);
    const first = <u64>this.block * this.cursor;
    if (!this.prime && history.count - first <= <u64>HISTORY) {
      // The AGC's ramp within the block, from the gain at the previous block's end to this one's (agc.ts), and its clip.
      const from = load<f32>(
        this.gains + ((<usize>(<i32>((this.cursor - 1) % <u64>this.ring))) << 2),
      );
      const to = load<f32>(this.gains + ((<usize>slot) << 2));
      const step = (to - from) / <f32>this.block;
      for (let i = 0; i < this.block; i++) {
        let y = load<f32>(this.out + ((<usize>i) << 2)) * (from + step * <f32>(i + 1));
        y = y > 1.0 ? 1.0 : y < -1.0 ? -1.0 : y;
        history.set(first + <u64>i, <i16>(<i32>Mathf.round(y * 32767.0)));
      }
    }
    this.prime = false;
    this.blocksDone++;
    this.cursor++;
    if (this.cursor >= this.until) {
      this.phase = FEATURES;
      this.slot = 0;
    }
  }

  /** The next feature frame whose samples overlap the re-beamed span, computed again (wake word's ring, then the commands'). */
  private featureUnit(history: History, wake: WakeWord, command: Command): void {
    while (this.slot < WW_FRAMES + KWS_FRAMES) {
      const s = this.slot++;
      const ww = s < WW_FRAMES;
      const end = ww ? wake.frameEndAt(s) : command.frameEndAt(s - WW_FRAMES);
      const len = ww ? WW_FRAME + 1 : KWS_FRAME;
      if (
        end == 0 ||
        end <= this.spanFrom ||
        end - <u64>len >= this.spanTo ||
        history.count - end + <u64>len > <u64>HISTORY
      )
        continue;
      if (ww) wake.frame(history, end, s);
      else command.frame(history, end, s - WW_FRAMES);
      this.framesDone++;
      return;
    }
    this.phase = IDLE;
    this.finished++;
  }
}
