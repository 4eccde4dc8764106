// The operators added for issue 18 (TFLM's common operators) against the TFLite reference,
// int8 and float32 (where TFLM has a float kernel), with several shapes, broadcasts and
// quantisations: int8 within 1, float32 within 1e-5 relative, other outputs (bool, int32)
// exact. Data movement, comparisons and the integer-only arithmetic (SUB's ADD path,
// SQUARED_DIFFERENCE, RESIZE_BILINEAR's fixed point) are expected exact and say so.
import test from "ava";
import { compareCase } from "../helpers/op-compare.ts";
import { tflmOpCases } from "../helpers/tflm-op-cases.ts";

const CASES = tflmOpCases();

for (const c of CASES) {
  test(`${c.name} matches the TFLite reference`, async (tt) => {
    const r = await compareCase(c);
    tt.log(`${r.exact}/${r.total} exact, worst difference ${r.worst}`);
    const float = c.outputs.some((o) => o.type === "float32");
    tt.true(float ? r.worst <= 1e-5 : r.worst <= (c.exact ? 0 : 1), `worst difference ${r.worst}`);
  });
}
