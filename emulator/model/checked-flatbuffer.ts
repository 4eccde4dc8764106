// Bounds-checked access to a flatbuffer over flatbuffers' ByteBuffer: every offset, length
// and vtable is checked against the file before it is read, and a failure is a one-line
// UserError naming the file and what was being read (`where`), never another exception.
import { ByteBuffer } from "flatbuffers";
import { UserError } from "../errors.ts";

export interface Table {
  pos: number;
  vt: number;
  vtSize: number;
}
export interface Vec {
  pos: number;
  len: number;
}

/** Failures name the file and `where` (set by the caller as it walks the model). */
export class CheckedReader {
  readonly bb: ByteBuffer;
  readonly size: number;
  where = "";
  // Reads allowed: a sound file reads each part about once, while corrupt offsets could make
  // many tables share one long vector and turn a small file into a long walk.
  private budget: number;

  constructor(
    bytes: Uint8Array,
    private readonly file: string,
  ) {
    [this.bb, this.size, this.budget] = [
      new ByteBuffer(bytes),
      bytes.length,
      16 * bytes.length + 100_000,
    ];
  }

  fail(what: string): never {
    throw new UserError(`${this.file}: ${this.where ? `${this.where}: ` : ""}${what}`);
  }

  check(off: number, len: number, what: string): void {
    if (--this.budget < 0) this.fail("corrupt: offsets lead to far more reads than the file holds");
    if (!(off >= 0 && len >= 0 && off + len <= this.size))
      this.fail(
        `corrupt or truncated: ${what} at offset ${off} lies outside the file (${this.size} bytes)`,
      );
  }

  u8(off: number): number {
    this.check(off, 1, "byte");
    return this.bb.readUint8(off);
  }
  i8(off: number): number {
    this.check(off, 1, "byte");
    return this.bb.readInt8(off);
  }
  u16(off: number): number {
    this.check(off, 2, "u16");
    return this.bb.readUint16(off);
  }
  i32(off: number): number {
    this.check(off, 4, "int");
    return this.bb.readInt32(off);
  }
  u32(off: number): number {
    this.check(off, 4, "uint");
    return this.bb.readUint32(off);
  }
  f32(off: number): number {
    this.check(off, 4, "float");
    return this.bb.readFloat32(off);
  }
  i64(off: number): bigint {
    this.check(off, 8, "long");
    return this.bb.readInt64(off);
  }

  /** The table a uoffset at `off` points to, with its vtable checked. */
  table(off: number): Table {
    const pos = off + this.u32(off);
    this.check(pos, 4, "table");
    const vt = pos - this.i32(pos);
    this.check(vt, 4, `vtable of the table at ${pos}`);
    const vtSize = this.u16(vt);
    if (vtSize < 4 || vtSize % 2 !== 0)
      this.fail(`vtable at offset ${vt} has a bad size ${vtSize}`);
    this.check(vt, vtSize, `vtable of the table at ${pos}`);
    this.check(pos, this.u16(vt + 2), `table body`);
    return { pos, vt, vtSize };
  }

  /** Offset of field `id` in table `t`, or 0 when absent. */
  field(t: Table | null, id: number): number {
    if (!t) return 0;
    const slot = 4 + 2 * id;
    if (slot + 2 > t.vtSize) return 0;
    const rel = this.u16(t.vt + slot);
    return rel === 0 ? 0 : t.pos + rel;
  }

  fieldU8(t: Table | null, id: number, def: number): number {
    const at = this.field(t, id);
    return at ? this.u8(at) : def;
  }
  fieldI8(t: Table | null, id: number, def: number): number {
    const at = this.field(t, id);
    return at ? this.i8(at) : def;
  }
  fieldI32(t: Table | null, id: number, def: number): number {
    const at = this.field(t, id);
    return at ? this.i32(at) : def;
  }
  fieldU32(t: Table | null, id: number, def: number): number {
    const at = this.field(t, id);
    return at ? this.u32(at) : def;
  }
  fieldF32(t: Table | null, id: number, def: number): number {
    const at = this.field(t, id);
    return at ? this.f32(at) : def;
  }
  fieldTable(t: Table | null, id: number): Table | null {
    const at = this.field(t, id);
    return at ? this.table(at) : null;
  }

  /** A vector field (absent: null), checked to hold `len` elements of `elem` bytes. */
  fieldVec(t: Table | null, id: number, elem: number, what: string): Vec | null {
    const at = this.field(t, id);
    if (!at) return null;
    const start = at + this.u32(at);
    const len = this.u32(start);
    this.check(start + 4, len * elem, `${what} (${len} elements)`);
    return { pos: start + 4, len };
  }

  fieldString(t: Table | null, id: number, what: string): string {
    const v = this.fieldVec(t, id, 1, what);
    if (!v) return "";
    return new TextDecoder().decode(this.bb.bytes().subarray(v.pos, v.pos + v.len));
  }

  tableAt(v: Vec, i: number): Table {
    return this.table(v.pos + 4 * i);
  }

  ints(v: Vec | null): number[] {
    const out: number[] = [];
    if (v) for (let i = 0; i < v.len; i++) out.push(this.i32(v.pos + 4 * i));
    return out;
  }
}
