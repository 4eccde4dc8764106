// A board without firmware, for peripheral unit tests (in the spirit of rp2040js's MockClock):
// the real VirtualClock with its alarms, the real BoardMemory over a small wasm memory, and a
// context that synchronises and idles the way Machine does. A test plays the firmware: it calls
// a peripheral's HAL imports, runs "code" cycles and idles, and reads memory and event lines.
// No AssemblyScript is compiled, so a test file runs in milliseconds.
import { loadTarget, type Target } from "../../emulator/board.ts";
import { VirtualClock } from "../../emulator/clock.ts";
import { createEmitter, type MachineEmitter } from "../../emulator/events.ts";
import { BoardMemory, PAGE } from "../../emulator/memory.ts";
import type { MachineContext } from "../../emulator/peripherals/peripheral.ts";
import { Watchdog } from "../../emulator/peripherals/watchdog.ts";

export interface FakeBoardOptions {
  /** Bytes below this address are the flash window (DMA into them faults). Default 0. */
  flashWindow?: number;
  /** Wasm pages of memory (64 KiB each). Default 16 (1 MiB). */
  pages?: number;
}

/** A peripheral trace event as the machine's "peripheral" event carries it. */
export interface TracedEvent {
  name: string;
  what: string;
  start: number;
  end: number;
}

export class FakeBoard implements MachineContext {
  readonly target: Target;
  readonly clock: VirtualClock;
  readonly events: MachineEmitter = createEmitter();
  readonly watchdog: Watchdog;
  readonly mem: BoardMemory;
  pending = 0;
  /** Every "peripheral" event, in order. */
  readonly trace: TracedEvent[] = [];
  /** pauseMeter / resumeMeter calls, in order (the NPU's compute window). */
  readonly meterCalls: ("pause" | "resume")[] = [];
  // The firmware's own cycle counter (what the metered image's tb_cycles would read).
  private code = 0;

  constructor(boardId: string, opts: FakeBoardOptions = {}) {
    this.target = loadTarget(boardId);
    this.clock = new VirtualClock(this.target.core.clockHz);
    this.clock.attach(() => this.code);
    this.watchdog = new Watchdog(this.clock.hz);
    const pages = opts.pages ?? 16;
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    this.mem = new BoardMemory(memory, opts.flashWindow ?? 0, pages * PAGE, this.target);
    this.events.on("peripheral", (name, what, start, end) =>
      this.trace.push({ name, what, start, end }),
    );
  }

  /** The firmware's memory as bytes (a view, valid while the memory does not grow). */
  get bytes(): Uint8Array {
    return this.mem.bytes;
  }

  // --- BoardContext, as Machine implements it --------------------------------------------

  memory(): BoardMemory {
    return this.mem;
  }

  raise(line: number): void {
    this.pending |= line;
  }

  lower(line: number): void {
    this.pending &= ~line;
  }

  sync(): void {
    const now = this.clock.now;
    this.clock.fireDue(now);
    this.watchdog.check(now);
  }

  busy(cycles: number): void {
    this.clock.halCycles += cycles;
  }

  /** Idles in steps to each alarm (never past the watchdog's deadline), as Machine does. */
  idleUntil(target: number): void {
    for (;;) {
      const now = this.clock.now;
      this.clock.fireDue(now);
      this.watchdog.check(now);
      if (now >= target) return;
      const step = Math.min(target, this.clock.nextAlarm(), this.watchdog.deadline);
      this.clock.idleUntil(Math.max(step, now));
      if (step <= now) return;
    }
  }

  pauseMeter(): void {
    this.meterCalls.push("pause");
  }

  resumeMeter(): void {
    this.meterCalls.push("resume");
  }

  // --- the test's side: playing the firmware ---------------------------------------------

  /** The firmware runs `cycles` of its own code (no synchronisation point on the way). */
  runCode(cycles: number): void {
    this.code += cycles;
  }

  /** Cycles of `ms` milliseconds at the core clock. */
  cycles(ms: number): number {
    return Math.round((ms * this.clock.hz) / 1000);
  }

  /** Idles until `ms` after reset, firing alarms on the way. */
  idleUntilMs(ms: number): void {
    this.idleUntil(this.cycles(ms));
  }

  /** The trace events of one peripheral whose description matches `what`. */
  traced(name: string, what: RegExp): TracedEvent[] {
    return this.trace.filter((e) => e.name === name && what.test(e.what));
  }
}
