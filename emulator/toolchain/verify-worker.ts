// The checker thread of verify-sync.ts: loads the checks, then answers each posted code with
// its verdict and wakes the waiting thread. Started by verify-worker-boot.mjs (through tsx) or
// compiled (compiled.ts).
import { workerData, type MessagePort } from "node:worker_threads";

const { answered, port } = workerData as { answered: Int32Array; port: MessagePort };
const reply = (message: unknown) => {
  port.postMessage(message);
  Atomics.store(answered, 0, 1);
  Atomics.notify(answered, 0);
};
// Loaded here rather than imported: a check that cannot load is answered with its error.
const loading = import("./verify-code.ts").then((m) => m.checkCode);
port.on("message", async ({ wasm, unmeteredAdmitted }) => {
  try {
    reply({ verdict: (await loading)(wasm, unmeteredAdmitted) });
  } catch (e) {
    reply({ error: String((e as Error)?.stack ?? e).split("\n")[0] });
  }
});
