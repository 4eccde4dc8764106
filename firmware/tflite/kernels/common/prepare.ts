// The checks many kernels' prepare opens with: the operator's inputs and output are there,
// they agree on type, they are int8 or float32, int8 scales are positive.
import { Operator } from "../../operator";
import { Tensor } from "../../tensor";
import { TYPE_FLOAT32, TYPE_INT8 } from "../../schema";

/** The checks of a one-input, one-output elementwise op on int8 or float32; "" when fine. */
export function checkUnary(o: Operator): string {
  if (o.inputCount < 1 || !o.hasInput(0)) return "missing input";
  if (o.outputCount < 1) return "missing output";
  const input = o.input(0);
  const output = o.output(0);
  if (input.type != output.type) return "input and output types differ";
  if (input.type != TYPE_INT8 && input.type != TYPE_FLOAT32) return "input must be int8 or float32";
  if (input.elements != output.elements) return "input and output element counts differ";
  return "";
}

/** Whether all three int8 tensors have a positive scale (else: "int8 tensors need positive scales"). */
export function positiveScales(a: Tensor, b: Tensor, out: Tensor): bool {
  return a.scale > 0 && b.scale > 0 && out.scale > 0;
}
