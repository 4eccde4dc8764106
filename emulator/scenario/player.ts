// Plays one scenario on one board: boots the image with the scenario's inputs and walks its
// steps on emulated time. Drives and expectations happen at an instant; waits are clock alarms
// or event subscriptions, so a console line or an LED change is seen the moment it happens.
// The run ends as soon as the last step passes or one fails.
import path from "node:path";
import type { Target } from "../board.ts";
import type { Image } from "../toolchain/image.ts";
import { Machine } from "../machine.ts";
import { prepareImageCheck } from "../toolchain/verify-image.ts";
import { RunEnd, formatFault } from "../faults.ts";
import type { RunSummary } from "../events.ts";
import { openAccelSource } from "../inputs/accel-source.ts";
import { openCameraSource } from "../inputs/camera-source.ts";
import { openMicSource } from "../inputs/mic-input.ts";
import { openAvScene } from "../inputs/av-scene/av-source.ts";
import { loadMicArray, micLayout } from "../peripherals/mic/array.ts";
import { TraceRecorder } from "../debug/trace.ts";
import { UserError } from "../errors.ts";
import type { Drive, Scenario, Step, Wait } from "./schema.ts";
import { BoardObserver } from "./observer.ts";
import { checkExpect } from "./expectations.ts";
import { SwitchableAccel, SwitchableCamera, SwitchableMic } from "./switchable-sources.ts";

export interface ScenarioFailure {
  line: number;
  step: string;
  expected: string;
  actual: string;
  timeUs: number;
  console: string[];
}

export interface ScenarioResult {
  name: string;
  file: string;
  line: number;
  board: string;
  app: string;
  passed: boolean;
  stepsPassed: number;
  steps: number;
  failure: ScenarioFailure | null;
  emulatedSeconds: number;
  wallSeconds: number;
}

export interface PlayOptions {
  inputs: Record<string, string>;
  micArray?: string;
  /** SD card image for this run (a private copy), or null for none. */
  sdcard: string | null;
  /** Write a Chrome trace event file of the run here. */
  trace?: string;
}

const CONSOLE_TAIL = 10;

function describeWait(w: Wait): string {
  if ("ms" in w) return `${w.ms} ms to pass`;
  if ("console" in w)
    return `console output matching /${w.console.source}/ within ${w.timeoutMs} ms`;
  if ("led" in w) return `LED ${w.led} ${w.on ? "on" : "off"} within ${w.timeoutMs} ms`;
  if ("fault" in w)
    return `${w.fault === "any" ? "a" : `a ${w.fault}`} fault within ${w.timeoutMs} ms`;
  return `${w.inferences} more inference(s) within ${w.timeoutMs} ms`;
}

export async function playScenario(
  sc: Scenario,
  image: Image,
  target: Target,
  o: PlayOptions,
): Promise<ScenarioResult> {
  const cwd = path.dirname(path.resolve(sc.file));
  const mics = micLayout(target.board, o.micArray ? loadMicArray(o.micArray) : null);
  const accel = new SwitchableAccel(openAccelSource(o.inputs.accel ?? "gen:rest", { cwd }));
  // An audio-visual scene drives camera and microphones from one board timeline (not switchable).
  const av = o.inputs.scene ? openAvScene(o.inputs.scene, mics, { cwd }) : null;
  const camera = new SwitchableCamera(
    o.inputs.camera ? openCameraSource(o.inputs.camera, { cwd }) : null,
  );
  const mic = o.inputs.mic
    ? new SwitchableMic(openMicSource(o.inputs.mic, mics, { cwd }))
    : undefined;
  // Drives open their inputs before the run: a bad file is a user error, not a failed step.
  const opened = new Map<Step, () => void>();
  for (const s of sc.steps) if ("drive" in s) opened.set(s, openDrive(s.drive));

  await prepareImageCheck(image.wasm);
  const machine = new Machine({
    target,
    image,
    micArray: o.micArray,
    sdcard: o.sdcard,
    sources: av ? { accel, camera: av.camera, mic: av.mic ?? undefined } : { accel, camera, mic },
  });
  const seen = new BoardObserver(machine);
  const recorder = o.trace ? new TraceRecorder(machine) : null;
  const clock = machine.clock;
  const timer = {},
    release = {};
  let index = 0;
  let failure: ScenarioFailure | null = null;
  let phase: "boot" | "running" | "stopped" = "boot";
  let inferencesAt = 0;

  function openDrive(d: Drive): () => void {
    if (av && (d.camera !== undefined || d.mic !== undefined))
      throw new UserError(
        `${sc.file}: camera and mic drives need camera= / mic= inputs; an audio-visual scene drives both from its own timeline`,
      );
    const a = d.accel !== undefined ? openAccelSource(d.accel, { cwd }) : null;
    const c = d.camera !== undefined ? openCameraSource(d.camera, { cwd }) : null;
    if (d.mic !== undefined && !mic)
      throw new UserError(
        `${sc.file}: a mic drive needs a mic input from the start (inputs: { mic: ... })`,
      );
    const m = d.mic !== undefined ? openMicSource(d.mic, mics, { cwd }) : null;
    return () => {
      if (a) accel.switchTo(a);
      if (c) camera.switchTo(c);
      if (m) mic!.switchTo(m);
      if (d.sdcard === "remove") machine.card.remove();
      if (d.sdcard === "insert") {
        if (!o.sdcard)
          throw new UserError(`${sc.file}: 'sdcard: insert' in a scenario with sdcard: none`);
        machine.card.insert(o.sdcard);
      }
      if (d.pin !== undefined) machine.gpio.drivePin(d.pin, d.level === "high");
      if (d.press !== undefined) {
        machine.gpio.drivePin(d.press, true);
        const pin = d.press;
        clock.setAlarm(release, clock.now + clock.cyclesFromUs((d.forMs ?? 100) * 1000), () =>
          machine.gpio.drivePin(pin, false),
        );
      }
    };
  }

  const stop = () => {
    if (phase === "running") throw new RunEnd();
  };

  function fail(step: Step, expected: string, actual: string): void {
    if (failure) return;
    failure = {
      line: step.line,
      step: step.text,
      expected,
      actual,
      timeUs: seen.nowUs,
      console: seen.tail(CONSOLE_TAIL),
    };
    clear();
    stop();
  }

  function clear(): void {
    clock.clearAlarm(timer);
    seen.onConsole = seen.onGpio = seen.onInference = null;
  }

  function passWait(): void {
    clear();
    index++;
    advance();
  }

  /** Starts the wait of step `s`; true when it is already satisfied. */
  function startWait(s: Step & { wait: Wait }): boolean {
    const w = s.wait;
    const at = (ms: number) => clock.now + clock.cyclesFromUs(ms * 1000);
    if (phase === "stopped") {
      fail(s, describeWait(w), "the firmware has stopped");
      return false;
    }
    if ("ms" in w) {
      clock.setAlarm(timer, at(w.ms), passWait);
      return false;
    }
    const satisfied = (): boolean => {
      if ("console" in w) {
        w.console.lastIndex = 0;
        const m = w.console.exec(seen.console.slice(seen.consoleCursor));
        if (m) seen.consoleCursor += m.index + m[0].length;
        return !!m;
      }
      if ("led" in w) {
        const i = seen.led(w.led);
        if (typeof i === "string") {
          fail(s, `LED ${w.led}`, i);
          return false;
        }
        return machine.gpio.leds[i] === w.on;
      }
      if ("inferences" in w) return seen.inferences - inferencesAt >= w.inferences;
      return false; // a fault: seen when the run ends
    };
    inferencesAt = seen.inferences;
    if (satisfied()) return true;
    if (failure) return false;
    const check = () => {
      if (satisfied()) passWait();
    };
    if ("console" in w) seen.onConsole = check;
    if ("led" in w) seen.onGpio = check;
    if ("inferences" in w) seen.onInference = check;
    clock.setAlarm(timer, at(w.timeoutMs), () =>
      fail(s, describeWait(w), `nothing by ${(seen.nowUs / 1e6).toFixed(3)} s`),
    );
    return false;
  }

  /** Runs steps from `index` until one waits, one fails, or none is left. */
  function advance(): void {
    while (index < sc.steps.length && !failure) {
      const s = sc.steps[index];
      if ("drive" in s) opened.get(s)!();
      else if ("expect" in s) {
        const miss = checkExpect(s.expect, machine, seen, o.sdcard);
        if (miss) return fail(s, miss.expected, miss.actual);
      } else if (!startWait(s)) return;
      index++;
    }
    stop(); // every step passed (or one failed): the run has answered
  }

  advance();
  let summary: RunSummary | null = null;
  if (index < sc.steps.length && !failure) {
    phase = "running";
    summary = await machine.run({ seconds: sc.timeoutMs / 1000 });
    phase = "stopped";
    clear();
    const current = sc.steps[index];
    if (!failure && current) {
      const w = "wait" in current ? current.wait : null;
      if (
        summary.fault &&
        w &&
        "fault" in w &&
        (w.fault === "any" || w.fault === summary.fault.kind)
      ) {
        index++;
        advance(); // the steps after it look at the stopped board
      } else if (summary.fault)
        fail(
          current,
          "wait" in current ? describeWait(current.wait) : "no fault",
          formatFault(summary.fault),
        );
      else if (summary.reason === "time-limit")
        fail(
          current,
          "wait" in current ? describeWait(current.wait) : "the step to be reached",
          `the scenario's time limit (timeout: ${sc.timeoutMs} ms) was reached`,
        );
      else
        fail(
          current,
          "wait" in current ? describeWait(current.wait) : "the firmware to keep running",
          summary.reason === "exit"
            ? `the firmware exited (exit(${summary.exitCode}))`
            : "main returned",
        );
    }
  }
  if (recorder && summary) recorder.write(o.trace!, summary);
  return {
    name: sc.name,
    file: sc.file,
    line: sc.line,
    board: target.board.id,
    app: image.manifest.app,
    passed: !failure,
    stepsPassed: index,
    steps: sc.steps.length,
    failure,
    emulatedSeconds: clock.now / clock.hz,
    wallSeconds: summary?.wallSeconds ?? 0,
  };
}
