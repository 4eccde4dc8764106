// Bounds-checked reads of a flatbuffer held in memory (a model read in place from flash).
// Every read checks its range; a bad offset records an error and yields 0 instead of
// trapping, so a corrupt model is rejected with a message rather than a fault.

// The last table whose vtable was found and checked: a reader takes several fields of a table
// in a row (a tensor's shape, type, buffer and quantisation; a layer's options), and a model in
// flash does not change, so a table's vtable is checked once per visit. Keyed on the bytes
// themselves (the buffer's base address and size, and the table's offset), not on the reader's
// object, whose address a later reader over other bytes could take; a new reader starts with
// no table cached (its bytes may have been rewritten since, as a model loaded into RAM again).
// Globals, not fields: the reader's object stays in the arena's tail, 16-byte blocks.
let lastBase: usize = 0;
let lastSize: u32 = 0;
let lastTable: u32 = 0;
let lastVtable: u32 = 0;
let lastVtableSize: u32 = 0;

export class FlatBuffer {
  /** First problem met, or "" while the buffer reads cleanly. */
  error: string = "";

  constructor(readonly base: usize, readonly size: u32) {
    lastTable = 0; // no table is at offset 0 (the root offset is there)
  }

  private fail(what: string, at: u32): u32 {
    if (this.error.length == 0) this.error = what + " at offset " + at.toString() + " is outside the model (" + this.size.toString() + " bytes)";
    return 0;
  }

  /** True when `len` bytes at `off` lie inside the buffer (32-bit compares: 64-bit ones are
   *  register pairs on the Cortex-M, and start-up makes thousands of these checks). */
  // @ts-ignore: decorator
  @inline inside(off: u32, len: u32): bool {
    return len <= this.size && off <= this.size - len;
  }

  // @ts-ignore: decorator
  @inline u8(off: u32): u32 {
    return this.inside(off, 1) ? <u32>load<u8>(this.base + off) : this.fail("byte", off);
  }

  u16(off: u32): u32 {
    return this.inside(off, 2) ? <u32>load<u16>(this.base + off) : this.fail("u16", off);
  }

  // @ts-ignore: decorator
  @inline u32(off: u32): u32 {
    return this.inside(off, 4) ? load<u32>(this.base + off) : this.fail("u32", off);
  }

  f32(off: u32): f32 {
    if (this.inside(off, 4)) return load<f32>(this.base + off);
    this.fail("f32", off);
    return 0;
  }

  /** The table an offset field at `off` points to (uoffset, relative to itself). */
  // @ts-ignore: decorator
  @inline deref(off: u32): u32 {
    const rel = this.u32(off);
    if (off >= this.size || rel >= this.size - off) return this.fail("reference", off); // off + rel outside
    return off + rel;
  }

  /** Offset of field `id` of the table at `table`, or 0 when the field is absent. */
  // @ts-ignore: decorator
  @inline field(table: u32, id: u32): u32 {
    if (table == 0) return 0;
    const base = this.base;
    if (table != lastTable || base != lastBase || this.size != lastSize) {
      if (!this.inside(table, 4)) return this.fail("table", table);
      // The vtable lies at table - soffset; a wrap below 0 reads as an offset past the end.
      const vt = table - <u32>load<i32>(base + table);
      if (!this.inside(vt, 4)) return this.fail("vtable", table);
      const size = <u32>load<u16>(base + vt);
      if (!this.inside(vt, size)) return this.fail("vtable", vt);
      lastBase = base;
      lastSize = this.size;
      lastTable = table;
      lastVtable = vt;
      lastVtableSize = size;
    }
    const slot: u32 = 4 + id * 2;
    if (slot + 2 > lastVtableSize) return 0;
    const rel = <u32>load<u16>(base + lastVtable + slot);
    if (rel == 0) return 0;
    const at = table + rel;
    if (!this.inside(at, 1)) return this.fail("field", at);
    return at;
  }

  // Scalars with the schema's defaults when absent.
  // @ts-ignore: decorator
  @inline fieldU8(table: u32, id: u32, def: u32): u32 {
    const at = this.field(table, id);
    return at ? this.u8(at) : def;
  }

  // @ts-ignore: decorator
  @inline fieldI32(table: u32, id: u32, def: i32): i32 {
    const at = this.field(table, id);
    return at ? <i32>this.u32(at) : def;
  }

  fieldF32(table: u32, id: u32, def: f32): f32 {
    const at = this.field(table, id);
    return at ? this.f32(at) : def;
  }

  /** The table (or vector, or string) a reference field points to, or 0 when absent. */
  // @ts-ignore: decorator
  @inline fieldRef(table: u32, id: u32): u32 {
    const at = this.field(table, id);
    return at ? this.deref(at) : 0;
  }

  /** Number of elements of the vector at `vec` (0 when absent), checked to fit `elemBytes` each. */
  // @ts-ignore: decorator
  @inline vectorLength(vec: u32, elemBytes: u32): u32 {
    if (vec == 0) return 0;
    const n = this.u32(vec);
    // 32-bit: the elements fit when n <= (size - vec - 4) / elemBytes (the length word was read).
    if (n > (this.size - vec - 4) / elemBytes) {
      this.fail("vector of " + n.toString() + " elements", vec);
      return 0;
    }
    return n;
  }

  /** Offset of element `i` of a vector of elements of `elemBytes` each. */
  // @ts-ignore: decorator
  @inline element(vec: u32, i: u32, elemBytes: u32): u32 {
    return vec + 4 + i * elemBytes;
  }

  /** Table `i` of a vector of tables. */
  // @ts-ignore: decorator
  @inline tableAt(vec: u32, i: u32): u32 {
    return this.deref(this.element(vec, i, 4));
  }
}
