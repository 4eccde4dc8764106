// The debug engine, on the debugger's side: starts the firmware in a worker (stopped at reset),
// sends it breakpoints and resume/pause commands, and asks the stopped worker what it sees.
// One engine serves both front ends (the REPL and the Debug Adapter Protocol server).
import { EventEmitter } from "node:events";
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import type { Target } from "../board.ts";
import { encodeImage, type Image } from "../toolchain/image.ts";
import type { RunSummary } from "../events.ts";
import { readModel, type TfliteModel } from "../model/tflite-model.ts";
import { ControlBlock } from "./control-block.ts";
import { UserError } from "../errors.ts";
import { workerUrl } from "../compiled.ts";
import { describeBreakpoint, type Breakpoint, type BreakpointSpec } from "./breakpoints.ts";
import type {
  FromWorker,
  InspectWhat,
  ResumeMode,
  StopInfo,
  ToWorker,
  WasmFrameRef,
  WorkerSetup,
} from "./protocol.ts";
import type { LocalValue } from "./statement-stops.ts";
import type { TensorData, MemoryMap } from "./inspector.ts";
import type { LayerSpan } from "./trace.ts";

export interface EngineOptions {
  image: Image;
  target: Target;
  inputs?: Record<string, string>;
  sdcard?: string | null;
  seconds: number;
  noNpu?: boolean;
}

/** A message to the worker before it gets its request id. */
type Request = ToWorker extends infer T ? (T extends ToWorker ? Omit<T, "id"> : never) : never;

export type EngineState = "stopped" | "running" | "exited";

export interface BreakpointStatus {
  id: number;
  verified: boolean;
  message?: string;
  /** A line breakpoint's line when the worker moved it to the next statement. */
  line?: number;
}

export interface LayerState {
  spans: LayerSpan[];
  current: StopInfo["layer"];
  done: number;
  cycles: number;
}

/** Events: console(text), logpoint(text, breakpointId), stopped(StopInfo), exited(RunSummary), error(Error). */
export class DebugEngine extends EventEmitter {
  state: EngineState = "stopped";
  lastStop: StopInfo | null = null;
  summary: RunSummary | null = null;
  /** Where the firmware was when it ended (exit() or the time limit). */
  endFrames: WasmFrameRef[] = [];
  readonly breakpoints: Breakpoint[] = [];
  private nextBreakpointId = 1;
  private nextRequest = 1;
  private readonly pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  private readonly control = new ControlBlock();
  private readonly port: MessagePort;
  private readonly worker: Worker;
  private modelCache: { base: number; model: TfliteModel; bytes: Uint8Array } | null = null;
  private waiters: ((r: StopInfo | RunSummary) => void)[] = [];

  private constructor(readonly opts: EngineOptions) {
    super();
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const setup: WorkerSetup & { port: MessagePort } = {
      image: encodeImage(opts.image),
      board: opts.target.board.id,
      core: opts.target.core.id,
      inputs: opts.inputs ?? {},
      sdcard: opts.sdcard ?? null,
      seconds: opts.seconds,
      noNpu: opts.noNpu,
      control: this.control.buffer,
      breakpoints: [],
      port: port2,
    };
    this.worker = new Worker(workerUrl(new URL("./worker-boot.mjs", import.meta.url)), {
      workerData: setup,
      transferList: [port2],
    });
    this.worker.on("error", (e) => this.fail(e));
    this.worker.on("exit", () => this.fail(new Error("the firmware's worker stopped")));
    this.port.on("message", (m: FromWorker) => this.receive(m));
  }

  /** Starts the firmware's worker, stopped at reset. */
  static async launch(opts: EngineOptions): Promise<DebugEngine> {
    const engine = new DebugEngine(opts);
    await engine.nextEvent();
    // The worker failed before reset (an image for another board, an unreadable input): say why.
    if (engine.state === "exited" && engine.failure) {
      await engine.close();
      throw new UserError(engine.failure.message);
    }
    return engine;
  }

  /** Why the worker failed, if it did. */
  failure: Error | null = null;

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    if (this.state !== "exited") {
      this.state = "exited";
      if (this.listenerCount("error")) this.emit("error", e); // an unheard "error" event would throw
      for (const w of this.waiters.splice(0))
        w(this.summary ?? ({ reason: "fault" } as RunSummary));
    }
  }

  private receive(m: FromWorker): void {
    if (m.type === "reply") {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.ok) p?.resolve(m.result);
      else p?.reject(new Error(m.error));
    } else if (m.type === "console") {
      this.emit("console", m.text);
    } else if (m.type === "stopped") {
      this.state = "stopped";
      this.lastStop = m.stop;
      // The worker counts hits on its copy; `info breakpoints` reads this one.
      const hit =
        m.stop.breakpointId === undefined
          ? undefined
          : this.breakpoints.find((b) => b.id === m.stop.breakpointId);
      if (hit) hit.hits++;
      this.emit("stopped", m.stop);
      for (const w of this.waiters.splice(0)) w(m.stop);
    } else if (m.type === "logpoint") {
      const bp = this.breakpoints.find((b) => b.id === m.breakpointId);
      if (bp) bp.hits++;
      this.emit("logpoint", m.text, m.breakpointId);
    } else if (m.type === "exited") {
      this.state = "exited";
      this.summary = m.summary;
      this.endFrames = m.frames;
      this.emit("exited", m.summary);
      for (const w of this.waiters.splice(0)) w(m.summary);
    }
  }

  private send<T>(m: Request): Promise<T> {
    const id = this.nextRequest++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.port.postMessage({ ...m, id });
      // A running worker reads messages at its next sync point; a stopped one is woken.
      if (this.state === "running") this.control.callAttention();
      else this.control.signal();
    });
  }

  /** Resolves at the next stop or at the end of the run. */
  nextEvent(): Promise<StopInfo | RunSummary> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Resumes (continue, step a layer, finish the inference, next line, next sync point); resolves at the next stop or the end. */
  async resume(mode: ResumeMode): Promise<StopInfo | RunSummary> {
    if (this.state === "exited") throw new Error("the firmware has exited");
    if (this.state === "running") throw new Error("the firmware is already running");
    const next = this.nextEvent();
    await this.send({ cmd: "resume", mode });
    this.state = this.state === "stopped" ? "running" : this.state;
    return next;
  }

  /** Asks a running firmware to stop at its next sync point. */
  async pause(): Promise<void> {
    if (this.state !== "running") return;
    await this.send({ cmd: "pause" });
  }

  async addBreakpoint(spec: BreakpointSpec): Promise<Breakpoint & BreakpointStatus> {
    const bp: Breakpoint = { ...spec, id: this.nextBreakpointId++, hits: 0 };
    this.breakpoints.push(bp);
    const status = await this.syncBreakpoints();
    return { ...bp, ...status.find((s) => s.id === bp.id)! };
  }

  async deleteBreakpoints(ids?: number[]): Promise<number> {
    const before = this.breakpoints.length;
    for (let i = this.breakpoints.length - 1; i >= 0; i--)
      if (!ids || ids.includes(this.breakpoints[i].id)) this.breakpoints.splice(i, 1);
    await this.syncBreakpoints();
    return before - this.breakpoints.length;
  }

  /** Replaces the breakpoints of some kinds (the DAP sets them per file and per kind). */
  async replaceBreakpoints(
    match: (b: Breakpoint) => boolean,
    specs: BreakpointSpec[],
  ): Promise<(Breakpoint & BreakpointStatus)[]> {
    for (let i = this.breakpoints.length - 1; i >= 0; i--)
      if (match(this.breakpoints[i])) this.breakpoints.splice(i, 1);
    const added = specs.map((s) => ({ ...s, id: this.nextBreakpointId++, hits: 0 }) as Breakpoint);
    this.breakpoints.push(...added);
    const status = await this.syncBreakpoints();
    return added.map((b) => ({ ...b, ...status.find((s) => s.id === b.id)! }));
  }

  private async syncBreakpoints(): Promise<BreakpointStatus[]> {
    if (this.state === "exited")
      return this.breakpoints.map((b) => ({
        id: b.id,
        verified: false,
        message: "the firmware has exited",
      }));
    const status = await this.send<BreakpointStatus[]>({
      cmd: "breakpoints",
      breakpoints: this.breakpoints,
    });
    for (const st of status) {
      const b = this.breakpoints.find((x) => x.id === st.id);
      if (b?.kind === "line" && st.line !== undefined) b.line = st.line;
    }
    return status;
  }

  describe(b: Breakpoint): string {
    return describeBreakpoint(b);
  }

  inspect<T>(what: InspectWhat, args?: Record<string, unknown>): Promise<T> {
    if (this.state === "running")
      return Promise.reject(new Error("the firmware is running: 'pause' it first"));
    return this.send<T>({ cmd: "inspect", what, args });
  }

  tensor(ref: string): Promise<TensorData> {
    return this.inspect<TensorData>("tensor", { ref });
  }

  memory(address: number, length: number): Promise<Uint8Array> {
    return this.inspect<Uint8Array>("memory", { address, length });
  }

  memoryMap(): Promise<MemoryMap> {
    return this.inspect<MemoryMap>("memoryMap");
  }

  layers(): Promise<LayerState> {
    return this.inspect<LayerState>("layers");
  }

  peripherals(): Promise<{
    cycles: number;
    busy: number;
    idle: number;
    pendingLines: number;
    peripherals: Record<string, Record<string, number>>;
  }> {
    return this.inspect("peripherals");
  }

  /** The model the firmware prepared (parsed on this side once). */
  async model(): Promise<{ model: TfliteModel; bytes: Uint8Array; base: number; done: number }> {
    const r = await this.inspect<{ base: number; bytes: Uint8Array; done: number }>("model");
    if (!this.modelCache || this.modelCache.base !== r.base)
      this.modelCache = { base: r.base, bytes: r.bytes, model: readModel(r.bytes) };
    return { ...this.modelCache, done: r.done };
  }

  /** The stopped statement's function and its locals (debug-lines builds). */
  locals(): Promise<{ function: string; locals: LocalValue[] }> {
    return this.inspect("locals");
  }

  inputs(): Promise<Uint8Array[]> {
    return this.inspect<Uint8Array[]>("inputs");
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners("exit");
    this.worker.on("exit", () => undefined);
    if (this.state !== "running")
      await Promise.race([
        this.send({ cmd: "quit" }).catch(() => undefined),
        new Promise((r) => setTimeout(r, 500)),
      ]);
    await this.worker.terminate();
    this.port.close();
  }
}
