// The last 16384 samples of processed audio (int16, about 1 s) stored twice, one copy after
// the other, so every window of up to HISTORY samples ending at the newest sample is
// contiguous in memory and the feature extractors read it in place.
export const HISTORY: i32 = 16384;

export class History {
  private readonly base: usize = heap.alloc(<usize>(HISTORY * 4));
  private pos: i32 = 0; // where the next sample goes
  count: u64 = 0; // samples pushed since boot

  @inline push(v: i16): void {
    store<i16>(this.base + (<usize>this.pos << 1), v);
    store<i16>(this.base + (<usize>(this.pos + HISTORY) << 1), v);
    this.pos = (this.pos + 1) & (HISTORY - 1);
    this.count++;
  }

  /** Start of the `len` samples ending before sample number `end` (count - end + len <= HISTORY). */
  ending(end: u64, len: i32): usize {
    return this.base + (<usize>(<i32>(end & <u64>(HISTORY - 1)) + HISTORY - len) << 1);
  }

  /** Start of the `len` newest samples (len <= HISTORY), oldest first. */
  window(len: i32): usize {
    return this.base + (<usize>(this.pos + HISTORY - len) << 1);
  }

  /** Replaces sample number `index` (count - index <= HISTORY: still held) in both copies. */
  @inline set(index: u64, v: i16): void {
    const pos = <i32>(index & <u64>(HISTORY - 1));
    store<i16>(this.base + (<usize>pos << 1), v);
    store<i16>(this.base + (<usize>(pos + HISTORY) << 1), v);
  }
}
