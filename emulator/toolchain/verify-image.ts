// Images are untrusted input: before a board runs one, its code is checked against what a
// build produces, so a crafted .tbi cannot reach host functions outside the HAL or run
// code that the metering pass never saw.
//  - imports: functions only, each one declared by hal/hal.wit (module, name, signature)
//    or the runner's own meter functions, looked up as own names (never `constructor`);
//  - exports: `main` as the world declares it, the memory, and the meter's globals;
//  - one memory of its own, no start function, no imported tables or globals;
//  - instructions: those firmware builds emit (no atomics, memory.init, raw memory.grow);
//  - metering: `tb_cycles` only ever grows, and every loop reaches the host: either its
//    body calls `tinyboard:meter.tick`, or it opens with the pass's check
//    (`br_if (i32.ge_u counter K)`) out to a block inside a loop that does; and every
//    function on a call-graph cycle opens with the pass's entry check (verify-recursion.ts);
//    per function: verify-loops.ts, the meter's shapes: verify-patterns.ts.
// A refusal is one line naming what was found.
//
// The checks themselves (verify-code.ts) need binaryen, ~1 CPU s to load: they are loaded only
// when code that was never checked before arrives. Places where an image enters ask for that
// ahead (prepareImageCheck, async); a check asked for synchronously without it (`new Machine`
// with code nobody prepared) runs in a worker thread the caller waits for (verify-sync.ts).
import { UserError } from "../errors.ts";
import { readVerified, writeVerified } from "./verify-cache.ts";
import { logBuildEvent } from "./build-log.ts";
import { checkInWorker } from "./verify-sync.ts";
import type { CodeFacts } from "./verify-code.ts";

export type { CodeFacts } from "./verify-code.ts";

let checker: typeof import("./verify-code.ts") | null = null;
let loadingChecker: Promise<unknown> | null = null;

/** Loads the checks (and binaryen) into this process. */
export async function loadImageChecker(): Promise<void> {
  loadingChecker ??= import("./verify-code.ts").then((m) => (checker = m));
  await loadingChecker;
}

const verified = new WeakMap<Uint8Array, string | CodeFacts>();

/**
 * Code this process built unmetered for the metering benchmark (metered / unmetered wall time).
 * Keyed by the bytes object the build returned, which only in-process code holds: no file,
 * manifest or command-line flag can put an image here. Such code passes every other check.
 */
const unmeteredBenchmarkCode = new WeakSet<Uint8Array>();

/** Lets this unmetered build's code run (the metering benchmark's baseline; never for users). */
export function admitUnmeteredBenchmark(wasm: Uint8Array): void {
  unmeteredBenchmarkCode.add(wasm);
  verified.delete(wasm);
}

/** Makes the next verifyImageCode of this code cheap: loads the checks unless its verdict is on disk. */
export async function prepareImageCheck(wasm: Uint8Array): Promise<void> {
  if (checker || verified.has(wasm)) return;
  if (unmeteredBenchmarkCode.has(wasm) || readVerified(wasm) === null) await loadImageChecker();
}

/** Refuses (UserError) an image whose code is not what a tinyboard build makes; else its memory limits. */
export function verifyImageCode(wasm: Uint8Array, name: string): CodeFacts {
  let result = verified.get(wasm);
  if (result === undefined) {
    // Code admitted as the unmetered benchmark passes only in this process: never on disk.
    const admitted = unmeteredBenchmarkCode.has(wasm);
    const cpu = process.cpuUsage();
    result = (admitted ? null : readVerified(wasm)) ?? undefined;
    const cached = result !== undefined;
    let inWorker = false;
    if (result === undefined) {
      inWorker = !checker;
      result = checker ? checker.checkCode(wasm, admitted) : checkInWorker(wasm, admitted);
      if (!admitted && typeof result !== "string") writeVerified(wasm, result);
    }
    verified.set(wasm, result);
    const used = process.cpuUsage(cpu);
    logBuildEvent({
      event: "verify",
      bytes: wasm.length,
      cached,
      ...(inWorker ? { inWorker } : {}),
      cpuMs: Math.round((used.user + used.system) / 1000),
    });
  }
  if (typeof result === "string") throw new UserError(`${name} is refused: ${result}`);
  return result;
}
