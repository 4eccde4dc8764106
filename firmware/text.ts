// Allocation-free text formatting into a fixed byte buffer: what firmware uses for CSV rows
// and status lines without touching the heap.

export class TextBuffer {
  readonly base: usize;
  length: u32 = 0;

  constructor(readonly capacity: u32) {
    this.base = heap.alloc(capacity);
  }

  get free(): u32 {
    return this.capacity - this.length;
  }

  clear(): void {
    this.length = 0;
  }

  byte(b: u32): TextBuffer {
    if (this.length < this.capacity) store<u8>(this.base + this.length++, <u8>b);
    return this;
  }

  /** ASCII only (no allocation: reads the string's UTF-16 code units). */
  str(s: string): TextBuffer {
    const p = changetype<usize>(s);
    const n = <u32>s.length;
    for (let i: u32 = 0; i < n; i++) this.byte(load<u16>(p + (<usize>i << 1)));
    return this;
  }

  int(v: i64): TextBuffer {
    if (v < 0) {
      this.byte(0x2d);
      v = -v;
    }
    return this.uint(<u64>v, 1);
  }

  /** Unsigned integer, zero-padded to at least `width` digits. */
  uint(v: u64, width: u32 = 1): TextBuffer {
    let digits: u32 = 1;
    for (let t = v / 10; t > 0; t /= 10) digits++;
    if (digits < width) digits = width;
    if (this.length + digits > this.capacity) return this;
    let at = this.base + this.length + digits;
    for (let i: u32 = 0; i < digits; i++) {
      store<u8>(--at, <u8>(0x30 + <u32>(v % 10)));
      v /= 10;
    }
    this.length += digits;
    return this;
  }

  /** value / 10^decimals with a decimal point: fixed(-12345, 4) -> "-1.2345". */
  fixed(value: i64, decimals: u32): TextBuffer {
    if (value < 0) {
      this.byte(0x2d);
      value = -value;
    }
    let scale: u64 = 1;
    for (let i: u32 = 0; i < decimals; i++) scale *= 10;
    this.uint(<u64>value / scale);
    if (decimals > 0) this.byte(0x2e).uint(<u64>value % scale, decimals);
    return this;
  }
}
