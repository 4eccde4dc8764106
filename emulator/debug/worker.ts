// The firmware's side of the debugger: runs the machine in a worker thread and stops it by
// blocking inside a hook (a layer hook, a sync point, a statement hook, a fault) in
// Atomics.wait. While stopped it answers inspection requests from the debugger; virtual time
// stands still, because nothing runs. Then it returns from the hook and the firmware goes on.
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { loadTarget } from "../board.ts";
import { decodeImage } from "../toolchain/image.ts";
import { Machine } from "../machine.ts";
import { prepareImageCheck } from "../toolchain/verify-image.ts";
import { wasmFrames } from "../faults.ts";
import type { FaultReport } from "../faults.ts";
import { ControlBlock } from "./control-block.ts";
import { layerBreakpoint, type Breakpoint } from "./breakpoints.ts";
import { ModelLog, readTensor, dumpMemory, memoryMap, findTensor } from "./inspector.ts";
import { LayerLog } from "./trace.ts";
import { SourceLines, LineStepper } from "./source-lines.ts";
import { StatementStops } from "./statement-stops.ts";
import { builtinOpName } from "../model/tflite-model.ts";
import type {
  FromWorker,
  LayerPosition,
  ResumeMode,
  StopInfo,
  ToWorker,
  WasmFrameRef,
  WorkerSetup,
} from "./protocol.ts";

const setup = workerData as WorkerSetup & { port: MessagePort };
const port = setup.port;
const control = new ControlBlock(setup.control);
const image = decodeImage(setup.image);
const target = loadTarget(setup.board, setup.core);

let breakpoints: Breakpoint[] = setup.breakpoints;
/** "line": stepping by source line with the statement hooks (layer hooks do not stop). */
let mode: ResumeMode | "entry" | "line" = "entry";
let started = false;
let exited = false;
/** Layers of the current inference that completed; -1 before any inference. */
let done = -1;
let position: LayerPosition | null = null;
let inputSnapshot: Uint8Array[] = [];

const send = (m: FromWorker) => port.postMessage(m);

const lines = await SourceLines.load(image.sourceMap, image.wasm);
const stepper = new LineStepper(lines);
let lastFrames: WasmFrameRef[] = [];
// A debug-lines image: statement hooks stop on any statement (line breakpoints, conditions,
// logpoints, stepping by line, locals); otherwise lines are matched at sync points.
const statements = StatementStops.fromSourceMap(image.sourceMap, {
  depth: () => captureFrames().length,
  stop: (at) => {
    const where = `${at.file}:${at.line}`;
    const what = at.bp
      ? `breakpoint ${at.bp.id}: ${where}${at.error ? ` (condition: ${at.error})` : ""}`
      : where;
    stop(at.bp ? "breakpoint" : "line", what, at.bp, null, { file: at.file, line: at.line });
  },
  log: (text, bp) => {
    bp.hits++;
    send({ type: "logpoint", breakpointId: bp.id, text });
  },
});
await prepareImageCheck(image.wasm);
const machine = new Machine({
  target,
  image,
  inputs: setup.inputs,
  sdcard: setup.sdcard,
  noNpu: setup.noNpu,
  onSync,
  lineHooks: statements ?? undefined,
});
const models = new ModelLog(machine);
const layers = new LayerLog(machine);

machine.events.on("console", (text) => send({ type: "console", text }));

machine.events.on("layerBegin", (index, op, _cycles, unit) => {
  const pm = models.current;
  if (index === 0) {
    done = 0;
    // The inputs as this inference starts, for the float reference (their arena bytes are reused later).
    if (pm) inputSnapshot = pm.model.inputs.map((t) => readTensor(machine, pm, String(t), 0).bytes);
  }
  position = { index, op, unit, phase: "begin" };
  if (control.takeAttention()) attend();
  const hit =
    mode !== "step" && mode !== "finish" ? layerBreakpoint(breakpoints, index, op) : undefined;
  if (hit)
    return stop(
      "breakpoint",
      `breakpoint ${hit.id}: layer ${index} (${opName(op)}) on the ${unit.toUpperCase()}`,
      hit,
    );
  if (mode === "step")
    return stop("step", `layer ${index} (${opName(op)}) on the ${unit.toUpperCase()}`);
});

machine.events.on("layerEnd", (index, _cycles, unit) => {
  done = index + 1;
  const pm = models.current;
  const last = pm ? pm.model.operators.length - 1 : -1;
  position = { index, op: position?.op ?? 0, unit, phase: "end" };
  if (index === last && (mode === "finish" || mode === "step"))
    stop("finish", `end of inference: layer ${index} done`);
});

machine.events.on("fault", (f) => {
  const hit = breakpoints.find((b) => b.kind === "fault");
  if (hit) stop("fault", `FAULT ${f.kind}: ${f.message}`, hit, f);
});

function onSync(): void {
  if (control.takeAttention()) attend();
  for (const b of breakpoints) {
    if (b.kind === "cycles" && b.hits === 0 && machine.clock.now >= b.at)
      return stop("breakpoint", `breakpoint ${b.id}: cycle ${machine.clock.now} (>= ${b.at})`, b);
  }
  // With statement hooks, lines are theirs; sync points still serve `stepi`.
  if ((statements && mode !== "stepi") || !stepper.active(breakpoints)) return;
  const r = stepper.check(captureFrames(), breakpoints);
  if (!r) return;
  const line = r.at ? { file: r.at.file, line: r.at.line } : null;
  const where = line ? `${line.file}:${line.line}` : "a sync point";
  if (r.bp)
    stop(
      "breakpoint",
      `breakpoint ${r.bp.id}: ${r.bp.kind === "line" ? `${r.bp.file}:${r.bp.line}` : ""} (at ${where})`,
      r.bp,
      null,
      line,
    );
  else stop("line", where, undefined, null, line);
}

function captureFrames(): WasmFrameRef[] {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 64;
  const frames = wasmFrames(new Error());
  Error.stackTraceLimit = limit;
  return frames;
}

const opName = (op: number) => builtinOpName(op);

/** Messages that arrive while running: new breakpoints, a pause. */
function attend(): void {
  for (let m = control.pollMessage<ToWorker>(port); m; m = control.pollMessage<ToWorker>(port)) {
    if (m.cmd === "pause") {
      reply(m.id, true);
      stop("pause", "paused");
    } else handle(m);
  }
}

function stop(
  reason: StopInfo["reason"],
  description: string,
  bp?: Breakpoint,
  fault: FaultReport | null = null,
  line: StopInfo["line"] = null,
): void {
  if (bp) bp.hits++;
  const frames = fault ? [] : captureFrames();
  lastFrames = frames;
  const now = machine.clock.now;
  if (!line && frames.length) {
    const at = lines.position(frames);
    if (at) line = { file: at.file, line: at.line };
  }
  const statement = !!statements?.current;
  send({
    type: "stopped",
    stop: {
      reason,
      description,
      breakpointId: bp?.id,
      cycles: now,
      timeUs: machine.clock.usFromCycles(now),
      layer: position,
      line,
      fault,
      frames,
      statement,
    },
  });
  serve();
}

/** The stopped worker's loop: answers requests until told to resume. */
function serve(): void {
  for (;;) {
    const m = control.nextMessage<ToWorker>(port);
    if (m.cmd === "resume") {
      if (exited) {
        reply(m.id, false, "the firmware has exited");
        continue;
      }
      mode = m.mode;
      stepper.resume(m.mode, lines.position(lastFrames));
      if (statements) {
        // At a statement, step/finish move by line (into, out); next always does.
        const atStatement = statements.current !== null;
        const step =
          m.mode === "next"
            ? "over"
            : m.mode === "step" && atStatement
              ? "in"
              : m.mode === "finish" && atStatement
                ? "out"
                : null;
        statements.resume(step, step ? lastFrames.length : 0);
        if (step) mode = "line";
        machine.setLineHooks(statements.wanted);
      }
      reply(m.id, true);
      return;
    }
    if (m.cmd === "quit") {
      reply(m.id, true);
      process.exit(0);
    }
    handle(m);
  }
}

function reply(id: number, ok: boolean, result?: unknown): void {
  if (ok) send({ type: "reply", id, ok: true, result });
  else send({ type: "reply", id, ok: false, error: String(result) });
}

function handle(m: ToWorker): void {
  try {
    if (m.cmd === "breakpoints") {
      breakpoints = m.breakpoints.map(toStatement);
      if (statements) {
        statements.setBreakpoints(breakpoints);
        machine.setLineHooks(statements.wanted);
      }
      return reply(m.id, true, verify(breakpoints, m.breakpoints));
    }
    if (m.cmd === "pause") return reply(m.id, true); // already stopped
    if (m.cmd !== "inspect") return reply(m.id, false, `unexpected '${m.cmd}'`);
    reply(m.id, true, inspect(m.what, m.args ?? {}));
  } catch (e) {
    reply(m.id, false, (e as Error).message);
  }
}

// A line breakpoint on a line the build has no statement for (a blank line, a comment, a
// declaration the compiler folded) moves to the next statement line, as gdb and VS Code move
// one: within a few lines, so that it stays in the function the user meant.
const MOVE_LINES = 10;

function toStatement(b: Breakpoint): Breakpoint {
  if (b.kind !== "line" || !statements) return b;
  const file = lines.fileFor(b.file);
  if (!file) return b;
  const have = statements.statementLines(file);
  if (have.has(b.line)) return b;
  for (let l = b.line + 1; l <= b.line + MOVE_LINES; l++) if (have.has(l)) return { ...b, line: l };
  return b;
}

/** Per breakpoint: whether it can be hit, and why not. Line breakpoints need a line with code in
 *  the build; one moved to the next statement says from where. */
function verify(
  list: Breakpoint[],
  asked: Breakpoint[],
): { id: number; verified: boolean; message?: string; file?: string; line?: number }[] {
  return list.map((b, i) => {
    if (b.kind !== "line") return { id: b.id, verified: true };
    const from = asked[i]?.kind === "line" ? asked[i].line : b.line;
    if (from !== b.line)
      return {
        id: b.id,
        verified: true,
        file: lines.fileFor(b.file) ?? b.file,
        line: b.line,
        message: `moved from line ${from}, which has no statement in this build`,
      };
    const file = lines.fileFor(b.file);
    if (!file)
      return {
        id: b.id,
        verified: false,
        message: lines.available
          ? `${b.file} is not part of this build`
          : "this image has no source map",
      };
    if (statements && !statements.statementLines(file).has(b.line))
      return {
        id: b.id,
        verified: false,
        message: `${file}:${b.line} is not a statement of this build`,
        file,
      };
    if (!lines.linesOf(file).has(b.line))
      return { id: b.id, verified: false, message: `${file}:${b.line} has no code`, file };
    return { id: b.id, verified: true, file };
  });
}

function needModel() {
  const pm = models.current;
  if (!pm)
    throw new Error(
      started
        ? "no model has been prepared yet (the interpreter reports it when it is created)"
        : "the firmware has not started: 'continue' or 'step' first",
    );
  return pm;
}

function inspect(what: string, args: Record<string, unknown>): unknown {
  switch (what) {
    case "model": {
      const pm = needModel();
      return { base: pm.base, bytes: pm.bytes, arena: pm.arena, arenaBytes: pm.arenaBytes, done };
    }
    case "tensor": {
      const pm = needModel();
      return readTensor(machine, pm, String(args.ref), Math.max(done, 0));
    }
    case "tensors": {
      const pm = needModel();
      return pm.model.tensors.map((t) => ({
        index: t.index,
        name: t.name,
        type: t.type,
        shape: t.shape,
        constant: t.isConstant,
      }));
    }
    case "inputs": {
      needModel();
      if (!inputSnapshot.length) throw new Error("no inference has started yet");
      return inputSnapshot;
    }
    case "memory": {
      if (!started) throw new Error("the firmware has not started: 'continue' or 'step' first");
      return dumpMemory(machine, Number(args.address), Number(args.length));
    }
    case "memoryMap": {
      const heapTop = started
        ? machine.sramPeak() - image.manifest.layout.stackBytes + image.manifest.layout.sramBase
        : image.manifest.layout.staticEnd;
      return memoryMap(machine, image, models.models, heapTop, Math.max(done, 0));
    }
    case "locals": {
      if (!statements)
        throw new Error(
          "locals need a debug-lines build (tinyboard build --debug-lines; tinyboard debug uses one)",
        );
      if (!statements.current)
        throw new Error(
          "not stopped at a statement: locals are shown at line breakpoints and line steps",
        );
      return { function: statements.current.function, locals: statements.locals };
    }
    case "layers":
      return {
        spans: layers.spans.map((s) => ({ ...s })),
        current: position,
        done,
        cycles: machine.clock.now,
      };
    case "peripherals":
      return {
        cycles: started ? machine.clock.now : 0,
        busy: started ? machine.clock.busyCycles : 0,
        idle: machine.clock.idleCycles,
        pendingLines: machine.pending,
        peripherals: machine.peripheralStats(),
      };
    case "find": {
      const pm = needModel();
      return findTensor(pm.model, String(args.ref)).index;
    }
    default:
      throw new Error(`cannot inspect '${what}'`);
  }
}

// Stopped at entry (before reset) until the debugger says go.
send({
  type: "stopped",
  stop: {
    reason: "entry",
    description: "stopped at reset, before the firmware starts",
    cycles: 0,
    timeUs: 0,
    layer: null,
    line: null,
    fault: null,
    frames: [],
  },
});
serve();
started = true;
const summary = await machine.run({ seconds: setup.seconds });
exited = true;
send({ type: "exited", summary, frames: machine.endFrames });
// Post-mortem: memory and tensors stay readable until the debugger quits.
for (;;) {
  const m = control.nextMessage<ToWorker>(port);
  if (m.cmd === "quit") {
    reply(m.id, true);
    break;
  }
  if (m.cmd === "resume") {
    reply(m.id, false, "the firmware has exited");
    continue;
  }
  handle(m);
}
port.close();
parentPort?.close();
