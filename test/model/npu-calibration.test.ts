// The MCX N947's NPU timing against every NXP latency we could find (emulator/model/
// npu-published.ts): each model we hold runs in the model-runner firmware on mcxn947 with its
// NPU, and its emulated latency must be within +-25 % of NXP's figure.
import test from "ava";
import { readFileSync } from "node:fs";
import { benchModel } from "../../emulator/model/bench.ts";
import { readModel } from "../../emulator/model/tflite-model.ts";
import { PUBLISHED_NPU } from "../../emulator/model/npu-published.ts";

const ROOT = new URL("../../", import.meta.url);
const FIX = new URL("../shared/fixtures/", ROOT);
const TOLERANCE = 0.25;

for (const fig of PUBLISHED_NPU) {
  if (!fig.ours) continue;
  test(`mcxn947 with the NPU: ${fig.model} within 25 % of NXP's ${fig.npuMs} ms`, async (t) => {
    const url = new URL(fig.ours!, fig.ours!.startsWith("apps/") ? ROOT : FIX);
    const bytes = new Uint8Array(readFileSync(url));
    const r = await benchModel(bytes, readModel(bytes, fig.ours!), "mcxn947");
    t.truthy(r.npu);
    t.true(r.layers.some((l) => l.unit === "npu"));
    const ratio = r.latency_ms / fig.npuMs;
    t.log(
      `${fig.ours}: ${r.latency_ms.toFixed(3)} ms emulated, ${fig.npuMs} ms published, ratio ${ratio.toFixed(2)}`,
    );
    t.true(Math.abs(ratio - 1) <= TOLERANCE, `ratio ${ratio.toFixed(3)}`);
  });
}
