// The last HISTORY samples of processed audio (int16, about 2 s), in a ring whose first MIRROR
// samples are repeated after its end, so every window of up to MIRROR samples is contiguous in
// memory and the feature extractors read it in place (they read at most a frame, 1025 samples);
// a detection snippet (capture.ts, 1.5 s) is read in at most two pieces. Why a mirrored tail and
// not a second copy: the copy cost 32 KB of SRAM per second held.
export const HISTORY: i32 = 32768;
/** The longest window ending() gives in one piece. */
export const MIRROR: i32 = 2048;

export class History {
  private readonly base: usize = heap.alloc(<usize>((HISTORY + MIRROR) * 2));
  private pos: i32 = 0; // where the next sample goes
  count: u64 = 0; // samples pushed since boot

  @inline push(v: i16): void {
    this.store(this.pos, v);
    this.pos = (this.pos + 1) & (HISTORY - 1);
    this.count++;
  }

  /** Start of the `len` samples ending before sample number `end` (count - end + len <= HISTORY, len <= MIRROR). */
  ending(end: u64, len: i32): usize {
    return this.at(end - <u64>len);
  }

  /** Sample number `index`'s place in the ring (count - index <= HISTORY: still held); the ring runs to `end`. */
  at(index: u64): usize {
    return this.base + (<usize>(<i32>(index & <u64>(HISTORY - 1))) << 1);
  }

  /** The ring's first sample and where it ends (its mirror aside). */
  get start(): usize { return this.base; }
  get end(): usize { return this.base + (<usize>HISTORY << 1); }

  /** Replaces sample number `index` (count - index <= HISTORY: still held). */
  @inline set(index: u64, v: i16): void {
    this.store(<i32>(index & <u64>(HISTORY - 1)), v);
  }

  @inline private store(pos: i32, v: i16): void {
    store<i16>(this.base + (<usize>pos << 1), v);
    if (pos < MIRROR) store<i16>(this.base + (<usize>(pos + HISTORY) << 1), v);
  }
}
