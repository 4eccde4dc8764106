// Small models of the architectures users bring (test/kernels/architectures.ts: a FOMO-style
// head, a self-attention block, a float layer-norm head, MobileNetV3-style blocks with
// HARD_SWISH and squeeze-excite, an SVDF keyword model fed streaming frames), built with our
// writer and seeded random weights, run end to end through the firmware engine on rt1060
// against the TFLite reference (tfjs-tflite). Every layer's output is also a model output,
// so each layer is compared: int8 within 1 step, float32 within 1e-5 relative, on the model's
// run where its inputs agreed exactly and alone on the reference's inputs where they did not
// (test/helpers/layer-compare.ts); the top class must agree.
import test from "ava";
import { ARCHITECTURES } from "./architectures.ts";
import { compareLayers, inputSets, layerLine } from "../helpers/layer-compare.ts";

for (const arch of ARCHITECTURES) {
  test(`${arch.name}: every layer matches the TFLite reference`, async (t) => {
    const net = arch.build();
    const c = await compareLayers(net, inputSets(net, arch.sets));
    t.log(layerLine(c));
    const float = c.layers.at(-1)!.type === "float32";
    // Top classes agree wherever the reference's winner leads by more than 2 steps (1e-4 for float).
    const margin = float ? 1e-4 : 2;
    const decisive = c.tops.filter((x) => x.lead > margin);
    t.true(decisive.length > 0, "some position has a clear winner");
    for (const x of decisive)
      t.is(x.ours, x.reference, `set ${x.set} position ${x.position}: top class`);
    t.log(
      `top class agrees at ${decisive.length} of ${c.tops.length} positions with a clear winner`,
    );
    t.true(c.outputsVary, "the output changes between input sets");
    c.layers.forEach((l, k) => {
      const tolerance = l.type === "float32" ? 1e-5 : 1;
      t.true(l.held <= tolerance, `layer ${k} (${l.op}) worst difference ${l.held}`);
      if (l.isolated !== null)
        t.true(
          l.isolated <= tolerance,
          `layer ${k} (${l.op}) alone: worst difference ${l.isolated}`,
        );
    });
  });
}
