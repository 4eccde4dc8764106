// Bounds-checked reads of a flatbuffer held in memory (a model read in place from flash).
// Every read checks its range; a bad offset records an error and yields 0 instead of
// trapping, so a corrupt model is rejected with a message rather than a fault.

export class FlatBuffer {
  /** First problem met, or "" while the buffer reads cleanly. */
  error: string = "";

  constructor(readonly base: usize, readonly size: u32) {}

  private fail(what: string, at: u32): u32 {
    if (this.error.length == 0) this.error = what + " at offset " + at.toString() + " is outside the model (" + this.size.toString() + " bytes)";
    return 0;
  }

  /** True when `len` bytes at `off` lie inside the buffer. */
  inside(off: u32, len: u32): bool {
    return <u64>off + <u64>len <= <u64>this.size;
  }

  u8(off: u32): u32 {
    return this.inside(off, 1) ? <u32>load<u8>(this.base + off) : this.fail("byte", off);
  }

  u16(off: u32): u32 {
    return this.inside(off, 2) ? <u32>load<u16>(this.base + off) : this.fail("u16", off);
  }

  u32(off: u32): u32 {
    return this.inside(off, 4) ? load<u32>(this.base + off) : this.fail("u32", off);
  }

  f32(off: u32): f32 {
    if (this.inside(off, 4)) return load<f32>(this.base + off);
    this.fail("f32", off);
    return 0;
  }

  /** The table an offset field at `off` points to (uoffset, relative to itself). */
  deref(off: u32): u32 {
    const rel = this.u32(off);
    const target = <u64>off + <u64>rel;
    if (target >= <u64>this.size) return this.fail("reference", off);
    return <u32>target;
  }

  /** Offset of field `id` of the table at `table`, or 0 when the field is absent. */
  field(table: u32, id: u32): u32 {
    if (table == 0 || !this.inside(table, 4)) return table == 0 ? 0 : this.fail("table", table);
    const vtable = <i64>table - <i64>load<i32>(this.base + table);
    if (vtable < 0 || !this.inside(<u32>vtable, 4)) return this.fail("vtable", table);
    const vt = <u32>vtable;
    const vtSize = this.u16(vt);
    const slot: u32 = 4 + id * 2;
    if (slot + 2 > vtSize) return 0;
    if (!this.inside(vt, vtSize)) return this.fail("vtable", vt);
    const rel = this.u16(vt + slot);
    if (rel == 0) return 0;
    const at = table + rel;
    if (!this.inside(at, 1)) return this.fail("field", at);
    return at;
  }

  // Scalars with the schema's defaults when absent.
  fieldU8(table: u32, id: u32, def: u32): u32 {
    const at = this.field(table, id);
    return at ? this.u8(at) : def;
  }

  fieldI32(table: u32, id: u32, def: i32): i32 {
    const at = this.field(table, id);
    return at ? <i32>this.u32(at) : def;
  }

  fieldF32(table: u32, id: u32, def: f32): f32 {
    const at = this.field(table, id);
    return at ? this.f32(at) : def;
  }

  /** The table (or vector, or string) a reference field points to, or 0 when absent. */
  fieldRef(table: u32, id: u32): u32 {
    const at = this.field(table, id);
    return at ? this.deref(at) : 0;
  }

  /** Number of elements of the vector at `vec` (0 when absent), checked to fit `elemBytes` each. */
  vectorLength(vec: u32, elemBytes: u32): u32 {
    if (vec == 0) return 0;
    const n = this.u32(vec);
    if (<u64>vec + 4 + <u64>n * <u64>elemBytes > <u64>this.size) {
      this.fail("vector of " + n.toString() + " elements", vec);
      return 0;
    }
    return n;
  }

  /** Offset of element `i` of a vector of elements of `elemBytes` each. */
  element(vec: u32, i: u32, elemBytes: u32): u32 {
    return vec + 4 + i * elemBytes;
  }

  /** Table `i` of a vector of tables. */
  tableAt(vec: u32, i: u32): u32 {
    return this.deref(this.element(vec, i, 4));
  }
}
