// The Debug Adapter Protocol front end (VS Code): the same engine as the REPL. Source
// breakpoints are line breakpoints in firmware files; function breakpoints name layers
// ("layer 5", "5"), ops ("CONV_2D"), "fault" or "cycles N"; the "fault" exception filter
// stops on faults. Step Over = next source line, Step Into = next layer, Step Out = end of
// the inference. Scopes and variables (locals, tensors, peripherals): dap-variables.ts.
// The debug console runs REPL commands (print tensor 3, diff tensor 3, info layers, x/16xb ...).
import { existsSync } from "node:fs";
import path from "node:path";
import {
  DebugSession,
  InitializedEvent,
  StoppedEvent,
  OutputEvent,
  ExitedEvent,
  TerminatedEvent,
  Thread,
  StackFrame,
  Source,
} from "@vscode/debugadapter";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { loadTarget } from "../board.ts";
import { imageFor } from "../cli/run.ts";
import { PROJECT_ROOT } from "../paths.ts";
import { stoppedStack } from "./board-views.ts";
import { builtinOpName } from "../model/tflite-model.ts";
import { DebugEngine } from "./engine.ts";
import { lockCardImage, lockStateDir, type BoardLock } from "../board-lock.ts";
import { defaultStateDir, ensureCard, openState } from "../state.ts";
import { validateCardImage } from "../sdcard/card-image.ts";
import { runSeconds } from "../cli/options.ts";
import { Commands, formatExit } from "./commands.ts";
import { DapVariables } from "./dap-variables.ts";
import {
  checkExpression,
  checkLogMessage,
  parseBreakpoint,
  type Breakpoint,
  type BreakpointSpec,
} from "./breakpoints.ts";
import type { ResumeMode, StopInfo } from "./protocol.ts";

export interface LaunchArguments extends DebugProtocol.LaunchRequestArguments {
  /** App folder (with app.json) or image file, relative to the workspace or absolute. */
  program: string;
  board: string;
  core?: string;
  seconds?: number;
  /** Peripheral inputs, e.g. { "accel": "trace.csv" }. */
  inputs?: Record<string, string>;
  /** A card image; false for none; default the board's own card, `.tinyboard/<board>` in the project `cwd` is in, as `run` and `debug` use. */
  sdcard?: string | false;
  cpuOnly?: boolean;
  /** Build an app with statement hooks (any-line breakpoints, line steps, locals); default true. */
  debugLines?: boolean;
  stopOnEntry?: boolean;
  /** Folder paths are relative to (default: the process's working directory). */
  cwd?: string;
}

const THREAD = 1;
/** A function breakpoint's name as a breakpoint: "layer 5", "5", "CONV_2D", "op CONV_2D", "fault", "cycles 100". */
export function functionBreakpoint(name: string): BreakpointSpec {
  const n = name.trim();
  if (/^\d+$/.test(n)) return { kind: "layer", index: Number(n) };
  if (/^[A-Z][A-Z0-9_]*$/.test(n) && n !== "FAULT") return parseBreakpoint(`op ${n}`);
  return parseBreakpoint(n);
}

export class TinyboardDebugSession extends DebugSession {
  private engine: DebugEngine | null = null;
  private cardLock: BoardLock | null = null;
  private commands: Commands | null = null;
  private stopOnEntry = false;
  private readonly vars = new DapVariables();

  protected initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsFunctionBreakpoints: true,
      supportsEvaluateForHovers: false,
      supportsReadMemoryRequest: true,
      supportsConditionalBreakpoints: true,
      supportsLogPoints: true,
      exceptionBreakpointFilters: [{ filter: "fault", label: "Firmware faults", default: true }],
    };
    this.sendResponse(response);
  }

  protected async launchRequest(
    response: DebugProtocol.LaunchResponse,
    args: LaunchArguments,
  ): Promise<void> {
    try {
      const target = loadTarget(args.board, args.core);
      const program = path.resolve(args.cwd ?? process.cwd(), args.program);
      const { image, inputs } = await imageFor(program, target, {
        quiet: true,
        debugLines: args.debugLines !== false,
      });
      const seconds = runSeconds(args.seconds, image.manifest.defaults.seconds, false);
      // The card (or the board's state) is this session's until it disconnects (one board, one runner).
      let sdcard: string | null = null;
      if (args.sdcard !== false) {
        const cwd = args.cwd ?? process.cwd();
        if (args.sdcard) {
          sdcard = path.resolve(cwd, args.sdcard);
          this.cardLock ??= lockCardImage(sdcard);
        } else {
          const state = openState(defaultStateDir(target.board.id, cwd));
          this.cardLock ??= lockStateDir(state.dir);
          sdcard = state.sdcardPath;
        }
        if (existsSync(sdcard)) validateCardImage(sdcard);
        else ensureCard(sdcard);
      }
      this.engine = await DebugEngine.launch({
        image,
        target,
        inputs: { ...inputs, ...(args.inputs ?? {}) },
        sdcard,
        seconds,
        noNpu: args.cpuOnly,
      });
      this.commands = new Commands(this.engine);
      this.engine.on("console", (text: string) => this.sendEvent(new OutputEvent(text, "stdout")));
      this.engine.on("logpoint", (text: string) =>
        this.sendEvent(new OutputEvent(`${text}\n`, "console")),
      );
      this.engine.on("error", (e: Error) => {
        this.sendEvent(new OutputEvent(`tinyboard: ${e.message}\n`, "stderr"));
        this.sendEvent(new TerminatedEvent());
      });
      this.stopOnEntry = !!args.stopOnEntry;
      this.sendResponse(response);
      this.sendEvent(new InitializedEvent());
    } catch (e) {
      this.sendErrorResponse(response, 1, `tinyboard: ${(e as Error).message}`);
    }
  }

  protected configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
    if (this.stopOnEntry) this.sendEvent(new StoppedEvent("entry", THREAD));
    else this.resume("continue");
  }

  private resume(mode: ResumeMode): void {
    const engine = this.engine;
    if (!engine) return;
    this.vars.reset();
    engine.resume(mode).then(
      (r) => {
        if ("description" in r) this.stopped(r as StopInfo);
        else {
          this.sendEvent(new OutputEvent(`${formatExit(r)}\n`, "console"));
          this.sendEvent(new ExitedEvent(r.exitCode ?? (r.reason === "fault" ? 3 : 0)));
          this.sendEvent(new TerminatedEvent());
        }
      },
      (e: Error) => this.sendEvent(new OutputEvent(`tinyboard: ${e.message}\n`, "stderr")),
    );
  }

  private stopped(s: StopInfo): void {
    const reason =
      s.reason === "fault"
        ? "exception"
        : s.reason === "line" || s.reason === "finish"
          ? "step"
          : s.reason;
    const ev = new StoppedEvent(reason, THREAD) as DebugProtocol.StoppedEvent;
    ev.body.description = s.description;
    if (s.breakpointId !== undefined) ev.body.hitBreakpointIds = [s.breakpointId];
    if (s.fault) ev.body.text = s.fault.message;
    this.sendEvent(ev);
  }

  /** Requests that need a launched firmware get an error response instead. */
  private launched(response: DebugProtocol.Response): DebugEngine | null {
    if (!this.engine) this.sendErrorResponse(response, 3, "tinyboard: no firmware launched");
    return this.engine;
  }

  protected async setBreakPointsRequest(
    response: DebugProtocol.SetBreakpointsResponse,
    args: DebugProtocol.SetBreakpointsArguments,
  ): Promise<void> {
    const engine = this.launched(response);
    if (!engine) return;
    const file = path
      .relative(PROJECT_ROOT, path.resolve(args.source.path ?? ""))
      .split(path.sep)
      .join("/");
    // A condition or log message that does not parse leaves its breakpoint unverified, saying why.
    const problems = new Map<number, string>();
    const specs: BreakpointSpec[] = (args.breakpoints ?? []).map((b, i) => {
      const spec: BreakpointSpec = { kind: "line", file, line: b.line };
      try {
        if (b.condition) spec.condition = checkExpression(b.condition);
        if (b.logMessage) spec.logMessage = checkLogMessage(b.logMessage);
      } catch (e) {
        problems.set(i, (e as Error).message);
        return { kind: "line", file, line: 0 };
      }
      return spec;
    });
    const added = await engine.replaceBreakpoints(
      (b) => b.kind === "line" && b.file === file,
      specs,
    );
    response.body = {
      breakpoints: added.map((b, i) => ({
        id: b.id,
        verified: b.verified && !problems.has(i),
        message: problems.get(i) ?? b.message,
        line: b.kind === "line" && !problems.has(i) ? b.line : (args.breakpoints ?? [])[i]?.line,
        source: args.source,
      })),
    };
    this.sendResponse(response);
  }

  protected async setFunctionBreakPointsRequest(
    response: DebugProtocol.SetFunctionBreakpointsResponse,
    args: DebugProtocol.SetFunctionBreakpointsArguments,
  ): Promise<void> {
    const engine = this.launched(response);
    if (!engine) return;
    const specs: (BreakpointSpec | null)[] = [];
    const errors: string[] = [];
    for (const b of args.breakpoints) {
      try {
        specs.push(functionBreakpoint(b.name));
        errors.push("");
      } catch (e) {
        specs.push(null);
        errors.push((e as Error).message);
      }
    }
    const functional = (b: Breakpoint) =>
      b.kind === "layer" || b.kind === "op" || b.kind === "cycles";
    const added = await engine.replaceBreakpoints(
      functional,
      specs.filter((s): s is BreakpointSpec => !!s),
    );
    let i = 0;
    response.body = {
      breakpoints: specs.map((s, k) =>
        s
          ? { id: added[i].id, verified: added[i++].verified }
          : { verified: false, message: errors[k] },
      ),
    };
    this.sendResponse(response);
  }

  protected async setExceptionBreakPointsRequest(
    response: DebugProtocol.SetExceptionBreakpointsResponse,
    args: DebugProtocol.SetExceptionBreakpointsArguments,
  ): Promise<void> {
    await this.engine?.replaceBreakpoints(
      (b) => b.kind === "fault",
      args.filters.includes("fault") ? [{ kind: "fault" }] : [],
    );
    this.sendResponse(response);
  }

  protected threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    const core = this.engine
      ? `${this.engine.opts.target.board.id} ${this.engine.opts.target.core.id}`
      : "firmware";
    response.body = { threads: [new Thread(THREAD, core)] };
    this.sendResponse(response);
  }

  protected async stackTraceRequest(response: DebugProtocol.StackTraceResponse): Promise<void> {
    const stop = this.engine?.lastStop;
    const frames: StackFrame[] = [];
    if (stop?.layer && stop.reason !== "fault") {
      const l = stop.layer;
      frames.push(
        new StackFrame(
          1000,
          `${l.phase === "begin" ? "before" : "after"} layer ${l.index} ${builtinOpName(l.op)} (${l.unit.toUpperCase()}, cycle ${stop.cycles})`,
        ),
      );
    }
    const located = stop?.fault
      ? stop.fault.backtrace
      : stop
        ? await stoppedStack(this.engine!, stop)
        : [];
    located.forEach((f, i) => {
      const src =
        f.file && !f.file.startsWith("~lib/")
          ? new Source(path.basename(f.file), path.join(PROJECT_ROOT, f.file))
          : undefined;
      frames.push(
        new StackFrame(
          i + 1,
          f.function,
          src,
          f.line ?? 0,
          f.column !== undefined ? f.column + 1 : 0,
        ),
      );
    });
    response.body = { stackFrames: frames, totalFrames: frames.length };
    this.sendResponse(response);
  }

  protected scopesRequest(response: DebugProtocol.ScopesResponse): void {
    response.body = { scopes: this.vars.scopes(this.engine) };
    this.sendResponse(response);
  }

  protected async variablesRequest(
    response: DebugProtocol.VariablesResponse,
    args: DebugProtocol.VariablesArguments,
  ): Promise<void> {
    const engine = this.launched(response);
    if (!engine) return;
    response.body = { variables: await this.vars.variables(engine, args.variablesReference) };
    this.sendResponse(response);
  }

  protected async readMemoryRequest(
    response: DebugProtocol.ReadMemoryResponse,
    args: DebugProtocol.ReadMemoryArguments,
  ): Promise<void> {
    try {
      if (!this.engine) throw new Error("no firmware launched");
      const address = Number(args.memoryReference) + (args.offset ?? 0);
      const bytes = await this.engine.memory(address, Math.min(args.count, 65536));
      response.body = { address: String(address), data: Buffer.from(bytes).toString("base64") };
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, 2, (e as Error).message);
    }
  }

  protected async evaluateRequest(
    response: DebugProtocol.EvaluateResponse,
    args: DebugProtocol.EvaluateArguments,
  ): Promise<void> {
    const text = this.commands
      ? await this.commands.execute(args.expression)
      : "error: not launched";
    response.body = { result: text, variablesReference: 0 };
    this.sendResponse(response);
  }

  protected continueRequest(response: DebugProtocol.ContinueResponse): void {
    response.body = { allThreadsContinued: true };
    this.sendResponse(response);
    this.resume("continue");
  }

  protected nextRequest(response: DebugProtocol.NextResponse): void {
    this.sendResponse(response);
    this.resume("next");
  }

  protected stepInRequest(response: DebugProtocol.StepInResponse): void {
    this.sendResponse(response);
    this.resume("step");
  }

  protected stepOutRequest(response: DebugProtocol.StepOutResponse): void {
    this.sendResponse(response);
    this.resume("finish");
  }

  protected async pauseRequest(response: DebugProtocol.PauseResponse): Promise<void> {
    await this.engine?.pause();
    this.sendResponse(response);
  }

  protected async disconnectRequest(response: DebugProtocol.DisconnectResponse): Promise<void> {
    await this.engine?.close();
    this.engine = null;
    this.cardLock?.release();
    this.cardLock = null;
    this.sendResponse(response);
  }
}
