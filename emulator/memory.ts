// The board's memory as the host sees it: the firmware's wasm memory, with the flash
// window at 0 and SRAM above it. HAL drivers go through here, so every pointer the
// firmware hands the board is checked (a bad one is a fault, not a host exception).
import { Fault } from "./faults.ts";
import type { Target } from "./board.ts";
import { kb } from "./errors.ts";

export const PAGE = 65536;

export class BoardMemory {
  bytes!: Uint8Array;
  view!: DataView;

  constructor(
    private memory: WebAssembly.Memory,
    readonly flashWindow: number,
    readonly sramBytes: number,
    private readonly target: Target,
  ) {
    this.refresh();
  }

  /** Views must be renewed whenever the memory grows. */
  refresh(): void {
    this.bytes = new Uint8Array(this.memory.buffer);
    this.view = new DataView(this.memory.buffer);
  }

  get size(): number {
    return this.bytes.length;
  }

  /** Checks a range the firmware passed to `what` (e.g. "sdcard.write-blocks"). */
  check(what: string, ptr: number, len: number, write: boolean): void {
    // An unmetered build grows its memory natively (no host hook): renew stale views here.
    if (this.bytes.buffer !== this.memory.buffer) this.refresh();
    ptr >>>= 0;
    if (len < 0 || ptr + len > this.bytes.length) {
      throw new Fault(
        "bad-hal-pointer",
        `${what}: buffer 0x${ptr.toString(16)}+${len} is outside the board's memory (0x0-0x${this.bytes.length.toString(16)})`,
      );
    }
    if (write && len > 0 && ptr < this.flashWindow) {
      throw new Fault("flash-write", `${what}: DMA write into flash at 0x${ptr.toString(16)}`);
    }
  }

  read(what: string, ptr: number, len: number): Uint8Array {
    this.check(what, ptr, len, false);
    return this.bytes.subarray(ptr >>> 0, (ptr >>> 0) + len);
  }

  /** A writable view of firmware memory (the caller fills it, like a DMA engine). */
  writable(what: string, ptr: number, len: number): Uint8Array {
    this.check(what, ptr, len, true);
    return this.bytes.subarray(ptr >>> 0, (ptr >>> 0) + len);
  }

  /** Reads an AssemblyScript string object (UTF-16LE, byte length at ptr-4). */
  asString(ptr: number): string | null {
    if (this.bytes.buffer !== this.memory.buffer) this.refresh();
    ptr >>>= 0;
    if (ptr < 4 || ptr > this.bytes.length) return null;
    const len = this.view.getUint32(ptr - 4, true);
    if (ptr + len > this.bytes.length || len > 4096) return null;
    return Buffer.from(this.bytes.subarray(ptr, ptr + len)).toString("utf16le");
  }

  /** SRAM the last refused memory.grow asked for (bytes), for the fault report. */
  refusedNeeds = 0;

  /**
   * memory.grow from the firmware's allocator. Past the board's SRAM the request is refused
   * (-1), as wasm would: allocators may first ask for more than they need and retry.
   */
  grow(deltaPages: number): number {
    const wanted = this.bytes.length / PAGE + (deltaPages >>> 0);
    const needs = wanted * PAGE - this.flashWindow;
    if (needs > this.sramBytes) {
      this.refusedNeeds = needs;
      return -1;
    }
    const old = this.memory.grow(deltaPages);
    this.refusedNeeds = 0;
    this.refresh();
    return old;
  }

  /** The fault for an allocator that gave up after a refused grow. */
  exhausted(): Fault {
    return new Fault(
      "sram-exhausted",
      `SRAM budget exceeded: needs ${kb(this.refusedNeeds)}, ${this.target.board.id} has ${kb(this.sramBytes)}`,
    );
  }

  /** The board address of a wasm address (flash window -> flash region, SRAM -> SRAM regions). */
  boardAddress(addr: number): { region: string; address: number } | null {
    if (addr < this.flashWindow)
      return { region: this.target.board.flash.name, address: this.target.board.flash.base + addr };
    let off = addr - this.flashWindow;
    for (const r of this.target.sram) {
      if (off < r.size) return { region: r.name, address: r.base + off };
      off -= r.size;
    }
    return null;
  }
}
