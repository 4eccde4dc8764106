// The checker thread of verify-sync.ts: loads the checks (through tsx, which worker threads
// start without), then answers each posted code with its verdict and wakes the waiting thread.
import { workerData } from "node:worker_threads";

const { answered, port } = workerData;
const reply = (message) => {
  port.postMessage(message);
  Atomics.store(answered, 0, 1);
  Atomics.notify(answered, 0);
};
const loading = (async () => {
  const { register } = await import("tsx/esm/api");
  register();
  return (await import("./verify-code.ts")).checkCode;
})();
port.on("message", async ({ wasm, unmeteredAdmitted }) => {
  try {
    reply({ verdict: (await loading)(wasm, unmeteredAdmitted) });
  } catch (e) {
    reply({ error: String(e?.stack ?? e).split("\n")[0] });
  }
});
