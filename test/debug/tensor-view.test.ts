// Tensor values as the debugger shows them, breakpoint parsing, and the inspector's notion of
// whether a tensor's arena bytes are still its own.
import test from "ava";
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  dequantize,
  rawValues,
  snrDb,
  formatTensor,
  shortTensorName,
} from "../../emulator/debug/tensor-view.ts";
import { parseBreakpoint, BreakpointError } from "../../emulator/debug/breakpoints.ts";
import { tensorState, findTensor, type PreparedModel } from "../../emulator/debug/inspector.ts";
import { readModel, type TensorInfo } from "../../emulator/model/tflite-model.ts";
import { planArena } from "../../emulator/model/planner.ts";
import { ROOT } from "../faults/helpers.ts";

const info = (o: Partial<TensorInfo>): TensorInfo => ({
  index: 0,
  name: "t",
  type: "int8",
  typeCode: 9,
  shape: [4],
  isConstant: false,
  byteSize: 4,
  buffer: 0,
  data: null,
  quantization: null,
  ...o,
});

test("dequantize: per tensor and per channel along the quantized dimension", (t) => {
  const q = { scale: [0.5], zeroPoint: [-2], quantizedDimension: 0, storedQuantizedDimension: 0 };
  t.deepEqual(
    Array.from(dequantize(info({ quantization: q }), Float64Array.of(-2, 0, 2, 127))),
    [0, 1, 2, 64.5],
  );
  const pc = {
    scale: [1, 0.1],
    zeroPoint: [0, 0],
    quantizedDimension: 1,
    storedQuantizedDimension: 1,
  };
  t.deepEqual(
    Array.from(
      dequantize(info({ shape: [2, 2], quantization: pc }), Float64Array.of(1, 10, 3, 30)),
    ).map((x) => +x.toFixed(6)),
    [1, 1, 3, 3],
  );
  t.deepEqual(
    Array.from(
      rawValues(
        info({ type: "int32", shape: [2], byteSize: 8 }),
        new Uint8Array(Int32Array.of(-5, 70000).buffer),
      ),
    ),
    [-5, 70000],
  );
});

test("SNR in dB", (t) => {
  t.is(snrDb([1, 2, 3], [1, 2, 3]), Infinity);
  t.is(+snrDb([3, 4], [3.3, 4.4]).toFixed(6), 20); // noise is a tenth of the signal's amplitude
});

test("formatTensor lists small tensors and refuses to show bytes that are not the tensor's", (t) => {
  const q = { scale: [0.5], zeroPoint: [0], quantizedDimension: 0, storedQuantizedDimension: 0 };
  const text = formatTensor(
    {
      info: info({ quantization: q }),
      address: 0x100,
      where: "arena",
      valid: true,
      note: "computed by layer 0",
      bytes: Int8Array.of(1, -2, 3, 4) as unknown as Uint8Array,
    },
    (n) => `0x${n.toString(16)}`,
  );
  t.regex(text, /values:\s+1 -2 3 4\n\s+dequantized: 0\.5000 -1 1\.5000 2/);
  const stale = formatTensor(
    {
      info: info({}),
      address: 0x100,
      where: "arena",
      valid: false,
      note: "reused",
      bytes: new Uint8Array(4),
    },
    String,
  );
  t.regex(stale, /not shown/);
});

test("breakpoint specs", (t) => {
  t.deepEqual(parseBreakpoint("layer 5"), { kind: "layer", index: 5 });
  t.deepEqual(parseBreakpoint("op conv_2d"), { kind: "op", op: "CONV_2D" });
  t.deepEqual(parseBreakpoint("line ./apps/x/main.ts:42"), {
    kind: "line",
    file: "apps/x/main.ts",
    line: 42,
  });
  t.deepEqual(parseBreakpoint("cycles 2_000_000"), { kind: "cycles", at: 2_000_000 });
  for (const bad of [
    "layer",
    "layer -1",
    "op FOO",
    "line main.ts",
    "cycles x",
    "fault 3",
    "nothing",
  ])
    t.throws(() => parseBreakpoint(bad), { instanceOf: BreakpointError }, bad);
});

test("a tensor's bytes are its own from its layer until a later tensor takes them", (t) => {
  const bytes = new Uint8Array(
    readFileSync(path.join(ROOT, "../shared/fixtures/tflite-micro/person_detect.tflite")),
  );
  const model = readModel(bytes);
  const pm: PreparedModel = {
    base: 0,
    bytes,
    model,
    plan: planArena(model),
    arena: 0,
    arenaBytes: 0,
  };
  const out0 = model.operators[0].outputs[0];
  t.false(tensorState(pm, out0, 0).valid, "before layer 0 ran");
  t.true(tensorState(pm, out0, 1).valid);
  t.true(tensorState(pm, model.inputs[0], 0).valid, "the input, before the inference");
  t.regex(tensorState(pm, model.inputs[0], 3).note, /reused by tensor \d+/);
  t.true(
    tensorState(pm, model.outputs[0], model.operators.length).valid,
    "the output, after the inference",
  );
  t.is(findTensor(model, "input").index, model.inputs[0]);
  t.throws(() => findTensor(model, "Relu6"), { message: /ambiguous/ });
});

test("long fused tensor names are shortened to their first name's end, saying how much was left out", (t) => {
  t.is(
    shortTensorName("MobilenetV1/MobilenetV1/Conv2d_4_depthwise/Relu6"),
    "MobilenetV1/MobilenetV1/Conv2d_4_depthwise/Relu6",
  );
  const fused = `model/conv2d_3/BiasAdd;model/conv2d_3/Conv2D;${"model/batch_normalization_3/FusedBatchNormV3;".repeat(5)}model/activation_3/Relu`;
  const short = shortTensorName(fused);
  t.is(short, `model/conv2d_3/BiasAdd [+${fused.length - "model/conv2d_3/BiasAdd".length} chars]`);
  const long = `${"very_long_scope/".repeat(10)}Relu6`;
  const s = shortTensorName(long);
  t.true(s.startsWith("…") && s.includes("/Relu6 [+"), s);
  t.true(s.length < 80, s);
});
