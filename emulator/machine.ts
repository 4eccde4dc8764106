// One emulated board running one firmware image: memory, virtual time, peripherals, faults.
import type { Target } from "./board.ts";
import { VirtualClock } from "./clock.ts";
import { BoardMemory } from "./memory.ts";
import { createEmitter, type MachineEmitter, type RunSummary } from "./events.ts";
import {
  Fault,
  FirmwareExit,
  RunEnd,
  SourceMapper,
  classify,
  userFrame,
  wasmFrames,
  type FaultReport,
} from "./faults.ts";
import type { BoardSetup, MachineContext, Peripheral } from "./peripherals/peripheral.ts";
import { PERIPHERALS, checkBoardTiming } from "./peripherals/registry.ts";
import { Watchdog } from "./peripherals/watchdog.ts";
import { HeapBudget } from "./heap-budget.ts";
import { loadMicArray, micLayout } from "./peripherals/mic/array.ts";
import { METER_MODULE, CYCLES_GLOBAL, HEAP_TOP_EXPORT } from "./toolchain/meter-abi.ts";
import {
  DEBUG_MODULE,
  DEBUG_LINES_GLOBAL,
  LINE_TABLE_FIELD,
  STATEMENT_IMPORT,
} from "./toolchain/line-hooks.ts";
import { UserError } from "./errors.ts";
import { verifyImageCode } from "./toolchain/verify-image.ts";
import { layoutProblem } from "./toolchain/image-manifest.ts";
import { halImports } from "./hal-imports.ts";
import { checkFlashIntact } from "./flash-intact.ts";
import { openAvScene } from "./inputs/av-scene/av-source.ts";
import type { Gpio } from "./peripherals/gpio.ts";
import type { SdCard } from "./peripherals/sdcard.ts";
import { checkPlacement } from "./memory-hierarchy/placement.ts";
import type { MachineOptions, RunOptions } from "./machine-options.ts";

export type { LineHooks, MachineOptions, RunOptions } from "./machine-options.ts";

/** Compiled modules by code bytes: reflashing data (the model runner) need not recompile. */
/** Meter ticks in a row at one meter count before an image is refused (honest code: none). */
const MAX_STALLED_TICKS = 1000;
const modules = new WeakMap<Uint8Array, Promise<WebAssembly.Module>>();

function compiled(wasm: Uint8Array): Promise<WebAssembly.Module> {
  let m = modules.get(wasm);
  if (!m) modules.set(wasm, (m = WebAssembly.compile(wasm as BufferSource)));
  return m;
}

export class Machine implements MachineContext {
  readonly events: MachineEmitter = createEmitter();
  readonly clock: VirtualClock;
  readonly target: Target;
  readonly watchdog: Watchdog;
  pending = 0;
  private mem: BoardMemory | null = null;
  private heapTop: WebAssembly.Global | null = null;
  private readonly heap: HeapBudget;
  private lineSwitch: WebAssembly.Global | null = null;
  /** Wasm frames where the run ended by exit() or the time limit (empty otherwise). */
  endFrames: { function: string; offset: number }[] = [];
  private linesWanted = false;
  private endCycle = Infinity;
  /** Code cycles when the meter was paused, or -1 while it runs. */
  private pausedAt = -1;
  /** The meter's raw count at the last tick, and how many ticks since found it unchanged. */
  private lastTickCycles = -1;
  private stalledTicks = 0;
  /** tb_cycles read once at a meter tick (it cannot move while the tick runs), or -1. */
  private tickCodeCycles = -1;
  private readTbCycles: () => number = () => 0;
  private maxBusy = Infinity;
  private readonly peripherals: Peripheral[];
  private readonly byName: Map<string, Peripheral>;
  private readonly onSync: (() => void) | undefined;

  constructor(private readonly opts: MachineOptions) {
    this.target = opts.target;
    this.onSync = opts.onSync;
    const m = opts.image.manifest;
    this.heap = new HeapBudget(m);
    if (m.board !== this.target.board.id || m.core !== this.target.core.id) {
      throw new UserError(
        `image was built for ${m.board}/${m.core}, not ${this.target.board.id}/${this.target.core.id}: rebuild it for this board`,
      );
    }
    // Images are untrusted: their code and layout are checked before anything runs.
    const code = verifyImageCode(opts.image.wasm, `image ${m.app}`);
    const layout = layoutProblem(opts.image, this.target, code);
    if (layout) throw new UserError(`image ${m.app} is refused: ${layout}`);
    this.clock = new VirtualClock(this.target.core.clockHz);
    this.watchdog = new Watchdog(this.clock.hz);
    const mics = micLayout(this.target.board, opts.micArray ? loadMicArray(opts.micArray) : null);
    // An audio-visual scene drives the camera and the microphones from one timeline.
    const av = opts.inputs?.scene ? openAvScene(opts.inputs.scene, mics) : null;
    // The image's placement is untrusted like the rest of it: checked against the board.
    const placement = opts.placement ?? m.placement;
    if (placement) checkPlacement(placement, this.target);
    const setup: BoardSetup = {
      target: this.target,
      inputs: opts.inputs ?? {},
      sources: { ...(av ? { camera: av.camera, mic: av.mic ?? undefined } : {}), ...opts.sources },
      mics,
      sdcard: opts.sdcard ?? null,
      noNpu: !!opts.noNpu,
      placement,
    };
    checkBoardTiming(this.target.board);
    this.peripherals = PERIPHERALS.map((p) => p.create(this, setup));
    this.byName = new Map(PERIPHERALS.map((p, i) => [p.name, this.peripherals[i]]));
    if (opts.watchdogMs) this.watchdog.start(this.clock.cyclesFromUs(opts.watchdogMs * 1000), 0);
  }

  /** The GPIO block (a scenario drives pins and reads LEDs). */
  get gpio(): Gpio {
    return this.byName.get("gpio") as Gpio;
  }

  /** The SD card slot (a scenario inserts and removes the card). */
  get card(): SdCard {
    return this.byName.get("sdcard") as SdCard;
  }

  // --- BoardContext ---------------------------------------------------------------

  memory(): BoardMemory {
    if (!this.mem) throw new Fault("bad-hal-pointer", "memory used before the image was loaded");
    return this.mem;
  }

  raise(line: number): void {
    this.pending |= line;
  }

  lower(line: number): void {
    this.pending &= ~line;
  }

  sync(): void {
    if (this.pausedAt >= 0) return; // time stands still while the meter is paused
    if (this.onSync) this.onSync();
    const now = this.clock.now;
    this.clock.fireDue(now);
    this.checkLimits(now);
  }

  busy(cycles: number): void {
    this.clock.halCycles += cycles;
  }

  idleUntil(target: number): void {
    const from = this.clock.now;
    try {
      this.idleSteps(target);
    } finally {
      const to = this.clock.now;
      if (to > from && this.events.listenerCount("idle")) this.events.emit("idle", from, to);
    }
  }

  private idleSteps(target: number): void {
    for (;;) {
      const now = this.clock.now;
      this.clock.fireDue(now);
      this.checkLimits(now);
      if (now >= target) return;
      // Never sleep past the end of the run or the watchdog: they must fire on time.
      const step = Math.min(target, this.clock.nextAlarm(), this.endCycle, this.watchdog.deadline);
      this.clock.idleUntil(Math.max(step, now));
      if (step <= now) return;
    }
  }

  /** Whether a debug-lines image calls its statement hooks (a debugger wants lines). */
  setLineHooks(on: boolean): void {
    this.linesWanted = on;
    if (this.lineSwitch) this.lineSwitch.value = on ? 1 : 0;
  }

  /** The image has statement hooks (built with --debug-lines). */
  get hasLineHooks(): boolean {
    return !!this.opts.image.sourceMap?.includes(`"${LINE_TABLE_FIELD}"`);
  }

  pauseMeter(): void {
    this.pausedAt = this.clock.codeCycles + this.clock.excludedCycles;
  }

  resumeMeter(): void {
    if (this.pausedAt < 0) return;
    this.clock.excludedCycles += this.clock.codeCycles + this.clock.excludedCycles - this.pausedAt;
    this.pausedAt = -1;
  }

  private checkLimits(now: number): void {
    this.watchdog.check(now);
    if (this.heapTop) this.heap.check(Number(this.heapTop.value));
    if (now >= this.endCycle) throw new RunEnd();
    if (this.clock.busyCycles >= this.maxBusy)
      throw new Fault("cycle-budget", `cycle budget of ${this.maxBusy} cycles exhausted`);
  }

  // --- running ----------------------------------------------------------------------

  // The HAL's imports (hal-imports.ts), the debug hooks and the meter's, on null-prototype
  // objects: an import the contract does not declare finds nothing.
  private imports(): WebAssembly.Imports {
    const imports = halImports(this.peripherals, this.target, this.clock, this.onSync);
    // A debug-lines image run without a debugger: the hooks are never armed (the global stays 0).
    const hooks = this.opts.lineHooks;
    imports[DEBUG_MODULE] = Object.assign(Object.create(null), {
      [STATEMENT_IMPORT]: (id: number, ...locals: (number | bigint)[]) =>
        hooks?.statement(id, locals),
    });
    imports[METER_MODULE] = Object.assign(Object.create(null), {
      tick: () => {
        // Every metered loop iteration (and recursive call) costs at least a cycle, so time
        // moves between ticks. An image whose tick path never adds to tb_cycles (tampered) would
        // tick forever at one instant, past --seconds and the watchdog: refused after
        // MAX_STALLED_TICKS.
        // The counter is read once (a BigInt global) for the stall check, `now` and the limits.
        this.tickCodeCycles = this.readTbCycles();
        try {
          const raw = this.clock.codeCycles + this.clock.excludedCycles;
          if (raw !== this.lastTickCycles) {
            this.lastTickCycles = raw;
            this.stalledTicks = 0;
          } else if (++this.stalledTicks >= MAX_STALLED_TICKS)
            throw new UserError(
              `image ${this.opts.image.manifest.app} is refused: its loops or recursive calls reach the host ${MAX_STALLED_TICKS} times without its meter counting a cycle (code not metered by 'tinyboard build')`,
            );
          this.sync();
        } finally {
          this.tickCodeCycles = -1;
        }
      },
      "flash-write": (addr: number, offset: number) => {
        const at = (addr + offset) >>> 0;
        throw new Fault(
          "flash-write",
          `write to flash at 0x${at.toString(16)} (board address 0x${(this.target.board.flash.base + at).toString(16)}, ${this.target.board.flash.name})`,
        );
      },
      grow: (delta: number) => this.memory().grow(delta),
    });
    return imports;
  }

  /** Boots the image and runs it for `seconds` of emulated time (or until it stops). */
  async run(run: RunOptions): Promise<RunSummary> {
    const { image } = this.opts;
    this.endCycle = Math.round(run.seconds * this.clock.hz);
    this.maxBusy = run.maxBusyCycles ?? Infinity;
    let wallStart = process.hrtime.bigint();
    let reason: RunSummary["reason"] = "returned";
    let exitCode: number | null = null;
    let fault: FaultReport | null = null;
    try {
      const module = await compiled(image.wasm);
      wallStart = process.hrtime.bigint(); // compiling the image is loading, not running
      const instance = await WebAssembly.instantiate(module, this.imports());
      const exports = instance.exports as any;
      const cycles = exports[CYCLES_GLOBAL] as WebAssembly.Global | undefined;
      if (cycles) {
        this.readTbCycles = () => Number(cycles.value);
        this.clock.attach(() =>
          this.tickCodeCycles >= 0 ? this.tickCodeCycles : this.readTbCycles(),
        );
      }
      this.heapTop = exports[HEAP_TOP_EXPORT] ?? null;
      this.lineSwitch = exports[DEBUG_LINES_GLOBAL] ?? null;
      if (this.lineSwitch) this.lineSwitch.value = this.linesWanted ? 1 : 0;
      const { layout } = image.manifest;
      this.mem = new BoardMemory(exports.memory, layout.flashWindow, layout.sramBytes, this.target);
      this.mem.bytes.set(image.flash, 0); // the flasher's work
      try {
        exports._start?.();
        exports.main();
      } catch (e) {
        // Where the firmware was when it ended: the debugger's backtrace after the end.
        if (e instanceof RunEnd || e instanceof FirmwareExit) this.endFrames = wasmFrames(e);
        if (e instanceof RunEnd) reason = "time-limit";
        else if (e instanceof FirmwareExit) {
          reason = "exit";
          exitCode = e.code;
        } else throw e;
      }
      // A run that ends between ticks is held to the heap budget too.
      if (this.heapTop) this.heap.check(Number(this.heapTop.value));
      checkFlashIntact(this.mem.bytes, image.flash, layout.flashWindow, this.target.board.flash);
    } catch (e) {
      if (e instanceof UserError) throw e;
      reason = "fault";
      fault = await this.faultReport(e);
      this.events.emit("fault", fault);
    } finally {
      for (const p of this.peripherals) p.close?.();
    }
    const wallSeconds = Number(process.hrtime.bigint() - wallStart) / 1e9;
    const summary = this.summary(reason, exitCode, fault, wallSeconds);
    this.events.emit("end", summary);
    return summary;
  }

  private async faultReport(e: unknown): Promise<FaultReport> {
    if (!(e instanceof Fault || e instanceof WebAssembly.RuntimeError || e instanceof RangeError))
      throw e; // a host bug: let it show
    const frames = wasmFrames(e);
    // A trap while the last memory.grow stands refused is the allocator giving up: out of SRAM.
    const outOfSram =
      e instanceof WebAssembly.RuntimeError &&
      /unreachable/.test(e.message) &&
      !!this.mem?.refusedNeeds;
    const { kind, message } = classify(outOfSram ? this.mem!.exhausted() : e);
    // A debug-lines build names the function the optimiser inlined where it faulted, as a frame
    // of its own (a release build carries no declaration lines: the call's line stands).
    const backtrace = await new SourceMapper(
      this.opts.image.sourceMap,
      this.opts.image.wasm,
    ).locate(frames, { inlined: true });
    const now = this.clock.now;
    return {
      kind,
      message,
      cycles: now,
      timeUs: this.clock.usFromCycles(now),
      where: userFrame(backtrace),
      backtrace,
    };
  }

  /** Static data and heap high-water mark (the bump allocator never frees) plus the stack budget. */
  sramPeak(): number {
    const { layout } = this.opts.image.manifest;
    const top = this.heapTop
      ? Math.max(Number(this.heapTop.value), layout.staticEnd)
      : layout.staticEnd;
    return top - layout.sramBase + layout.stackBytes;
  }

  /** Each peripheral's counters now (overruns, blocks written, NPU jobs...), by interface name. */
  peripheralStats(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const p of this.peripherals) {
      const s = p.stats?.();
      if (s) out[p.module.replace(/^tinyboard:hal\/|@.*$/g, "")] = s;
    }
    return out;
  }

  private summary(
    reason: RunSummary["reason"],
    exitCode: number | null,
    fault: FaultReport | null,
    wallSeconds: number,
  ): RunSummary {
    const cycles = Math.min(this.clock.now, this.endCycle);
    const busy = Math.min(this.clock.busyCycles, cycles);
    const emulatedSeconds = cycles / this.clock.hz;
    const peripherals = this.peripheralStats();
    return {
      app: this.opts.image.manifest.app,
      board: this.target.board.id,
      core: this.target.core.id,
      clockHz: this.clock.hz,
      reason,
      exitCode,
      emulatedSeconds,
      cycles,
      busyCycles: busy,
      idleCycles: cycles - busy,
      cpuLoad: cycles > 0 ? busy / cycles : 0,
      wallSeconds,
      realTimeFactor: wallSeconds > 0 ? emulatedSeconds / wallSeconds : Infinity,
      sramPeakBytes: this.sramPeak(),
      heapUsedBytes: this.heapTop ? this.heap.used(Number(this.heapTop.value)) : 0,
      heapBudgetBytes: this.heap.bytes,
      peripherals,
      fault,
    };
  }
}
