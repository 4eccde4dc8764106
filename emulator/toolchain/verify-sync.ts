// A synchronous image check for a process that has not loaded the checks: `new Machine` is
// synchronous (it refuses an image by throwing), and binaryen can only be loaded asynchronously
// (its module awaits its wasm). The checks run in a worker thread, started at the first such
// check and kept for the next ones: this thread posts the code, waits on a shared flag, and
// reads the verdict from a message port without the event loop. The worker costs binaryen's
// load and, outside the compiled CLI, tsx's start (~1.5 CPU s): places where images enter call
// prepareImageCheck (verify-image.ts) instead, and the build log marks each check made here.
import {
  MessageChannel,
  Worker,
  receiveMessageOnPort,
  type MessagePort,
} from "node:worker_threads";
import type { CodeFacts } from "./verify-code.ts";
import { workerUrl } from "../compiled.ts";

/** Far beyond a check under load (binaryen's load plus a model app's walk: a few seconds). */
const WORKER_TIMEOUT_MS = 300_000;

interface Checker {
  worker: Worker;
  port: MessagePort;
  answered: Int32Array;
}
let checker: Checker | null = null;

function startChecker(): Checker {
  const answered = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(workerUrl(new URL("./verify-worker-boot.mjs", import.meta.url)), {
    workerData: { answered, port: port2 },
    transferList: [port2],
  });
  worker.unref(); // an idle checker never keeps the process alive
  worker.on("error", () => {}); // a dead worker is found by the next check's timeout or reply
  return { worker, port: port1, answered };
}

/** verify-code.ts's checkCode, run in the checker thread; this thread blocks until it answers. */
export function checkInWorker(wasm: Uint8Array, unmeteredAdmitted: boolean): string | CodeFacts {
  const c = (checker ??= startChecker());
  Atomics.store(c.answered, 0, 0);
  c.port.postMessage({ wasm: wasm.slice(), unmeteredAdmitted });
  const woke = Atomics.wait(c.answered, 0, 0, WORKER_TIMEOUT_MS);
  const reply = receiveMessageOnPort(c.port)?.message as
    { verdict: string | CodeFacts } | { error: string } | undefined;
  if (!reply || "error" in reply) {
    checker = null; // started again for the next check
    void c.worker.terminate();
    if (woke === "timed-out")
      throw new Error(`the image check's worker did not answer in ${WORKER_TIMEOUT_MS / 1000} s`);
    throw new Error(`the image check failed: ${reply ? reply.error : "its worker stopped"}`);
  }
  return reply.verdict;
}
