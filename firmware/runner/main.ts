// Model runner: the small firmware behind `tinyboard model bench`. Flash holds the model
// ("model") and one or more input sets ("input": each set is every input tensor's raw
// bytes, in order). For each set it runs one inference and reports the outputs; before
// that it reports the arena plan. A model the engine refuses prints the reason and exits 2.
import * as console from "../../hal/console";
import * as debug from "../../hal/debug";
import * as system from "../../hal/system";
import { partitionBase, partitionSize } from "../partitions";
import { Interpreter } from "../tflite/interpreter";

function say(text: string): void {
  console.println(text);
}

export function main(): void {
  const model = partitionBase("model");
  if (model == 0) { say("model-runner: no 'model' partition in flash"); system.exit(2); return; }
  const engine = new Interpreter(model, partitionSize("model"));
  if (!engine.ok) { say("model: " + engine.error); system.exit(2); return; }
  // The plan: each tensor's arena offset, then the bytes of the tensor area, the scratch area
  // (the layers' kernel scratch and requantisation records, where they reach past the tensors)
  // and the persistent tail.
  const n = engine.tensorCount;
  const plan = new StaticArray<i32>(n + 3);
  for (let i = 0; i < n; i++) plan[i] = engine.tensorOffset(i);
  plan[n] = engine.tensorBytes;
  plan[n + 1] = engine.arenaBytes - engine.tensorBytes;
  plan[n + 2] = engine.persistentBytes;
  debug.report(debug.REPORT_PLAN, changetype<usize>(plan), plan.length * 4);

  let setBytes: u32 = 0;
  for (let i = 0; i < engine.inputCount; i++) setBytes += <u32>engine.input(i).bytes;
  const input = partitionBase("input");
  const inputBytes = partitionSize("input");
  if (input == 0 || setBytes == 0 || inputBytes % setBytes != 0) {
    say("input: " + inputBytes.toString() + " bytes is not a whole number of input sets of " + setBytes.toString() + " bytes");
    system.exit(3);
    return;
  }
  const sets = inputBytes / setBytes;
  for (let s: u32 = 0; s < sets; s++) {
    let from = input + <usize>(s * setBytes);
    for (let i = 0; i < engine.inputCount; i++) {
      const t = engine.input(i);
      memory.copy(t.data, from, <usize>t.bytes);
      from += <usize>t.bytes;
    }
    engine.invoke();
    for (let i = 0; i < engine.outputCount; i++) {
      const t = engine.output(i);
      debug.report(debug.REPORT_OUTPUT, t.data, t.bytes);
    }
  }
  system.exit(0);
}
