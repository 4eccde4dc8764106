// Our .tflite writer: what it writes reads back the same (through our reader and through
// TFLite itself), and every single-op test model loads and runs in the reference runtime.
import test from "ava";
import { writeTflite, type WriterModel } from "../../emulator/model/tflite-writer.ts";
import { readModel } from "../../emulator/model/tflite-model.ts";
import { loadReference } from "../helpers/tflite-reference.ts";
import { opModels } from "../helpers/op-models.ts";

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** A two-op model using most of what the writer does: per-channel weights, options, vectors. */
function sample(): WriterModel {
  return {
    description: "round trip",
    tensors: [
      { name: "in", type: "int8", shape: [1, 5, 5, 3], quant: { scale: [0.05], zeroPoint: [-7] } },
      {
        name: "w",
        type: "int8",
        shape: [2, 3, 3, 3],
        data: bytesOf(Int8Array.from({ length: 54 }, (_, i) => ((i * 13) % 255) - 127)),
        quant: { scale: [0.01, 0.02], zeroPoint: [0, 0] },
      },
      {
        name: "b",
        type: "int32",
        shape: [2],
        data: bytesOf(Int32Array.from([100, -200])),
        quant: { scale: [0.0005, 0.001], zeroPoint: [0, 0] },
      },
      {
        name: "conv",
        type: "int8",
        shape: [1, 2, 2, 2],
        quant: { scale: [0.1], zeroPoint: [-128] },
      },
      { name: "out", type: "int8", shape: [1, 8], quant: { scale: [0.1], zeroPoint: [-128] } },
    ],
    ops: [
      {
        op: "CONV_2D",
        inputs: [0, 1, 2],
        outputs: [3],
        options: {
          padding: "VALID",
          strideW: 2,
          stride_h: 2,
          fused_activation_function: "RELU6",
          dilation_w_factor: 1,
        },
      },
      { op: "RESHAPE", inputs: [3], outputs: [4], options: { new_shape: [1, 8] } },
    ],
    inputs: [0],
    outputs: [4],
  };
}

test("a written model reads back with its tensors, data, quantisation and options", (t) => {
  const model = sample();
  const bytes = writeTflite(model);
  t.is(new TextDecoder().decode(bytes.subarray(4, 8)), "TFL3");
  const m = readModel(bytes, "sample");
  t.is(m.version, 3);
  t.is(m.description, "round trip");
  t.deepEqual(m.inputs, [0]);
  t.deepEqual(m.outputs, [4]);
  t.is(m.tensors.length, model.tensors.length);
  model.tensors.forEach((want, i) => {
    const got = m.tensors[i];
    t.is(got.name, want.name);
    t.is(got.type, want.type);
    t.deepEqual(got.shape, want.shape);
    t.is(got.isConstant, Boolean(want.data));
    if (want.data) {
      t.truthy(got.data);
      t.is(got.data!.offset % 16, 0, `${want.name} data is 16-byte aligned`);
      t.deepEqual(bytes.subarray(got.data!.offset, got.data!.offset + got.data!.length), want.data);
    }
    t.deepEqual(got.quantization?.scale, want.quant!.scale.map(Math.fround));
    t.deepEqual(got.quantization?.zeroPoint, want.quant!.zeroPoint);
  });
  t.deepEqual(
    m.operators.map((o) => o.opName),
    ["CONV_2D", "RESHAPE"],
  );
  t.deepEqual(m.operators[0].options, {
    kind: "conv",
    padding: "VALID",
    strideW: 2,
    strideH: 2,
    dilationW: 1,
    dilationH: 1,
    activation: "RELU6",
  });
  t.deepEqual(m.operators[1].options, { kind: "reshape", newShape: [1, 8] });
});

test("TFLite loads a written model and reports its inputs and outputs", async (t) => {
  const ref = await loadReference(writeTflite(sample()));
  t.deepEqual(ref.inputs, [{ name: "in", shape: [1, 5, 5, 3], dtype: "int8" }]);
  t.deepEqual(ref.outputs, [{ name: "out", shape: [1, 8], dtype: "int8" }]);
  const out = ref.run([new Int8Array(75).fill(20)])[0] as Int8Array;
  t.is(out.length, 8);
  t.true(out.every((v) => v >= -128 && v <= -128 + 60)); // RELU6 at scale 0.1: [0, 6] -> [-128, -68]
  ref.dispose();
});

test("operator codes carry both the deprecated byte and builtin_code; ops share codes", (t) => {
  const m = readModel(
    writeTflite({
      tensors: [
        { name: "a", type: "float32", shape: [4] },
        { name: "b", type: "float32", shape: [4] },
        { name: "c", type: "int8", shape: [4], quant: { scale: [0.1], zeroPoint: [0] } },
        { name: "d", type: "float32", shape: [4] },
      ],
      ops: [
        { op: "LOGISTIC", inputs: [0], outputs: [1] },
        { op: "QUANTIZE", inputs: [1], outputs: [2] },
        { op: "DEQUANTIZE", inputs: [2], outputs: [3] },
      ],
      inputs: [0],
      outputs: [3],
    }),
  );
  t.deepEqual(
    m.operators.map((o) => [o.code, o.opName]),
    [
      [14, "LOGISTIC"],
      [114, "QUANTIZE"],
      [6, "DEQUANTIZE"],
    ],
  );
});

test("the writer refuses what it cannot write faithfully", (t) => {
  const bad = (edit: (m: WriterModel) => void) => {
    const m = sample();
    edit(m);
    return () => writeTflite(m);
  };
  t.throws(
    bad((m) => {
      m.ops[0].inputs[0] = 9;
    }),
    { message: /tensor index 9 out of range/ },
  );
  t.throws(
    bad((m) => {
      m.tensors[1].data = new Uint8Array(3);
    }),
    { message: /data has 3 bytes/ },
  );
  t.throws(
    bad((m) => {
      m.ops[0].op = "NOT_AN_OP";
    }),
    { message: /unknown builtin operator/ },
  );
  t.throws(
    bad((m) => {
      m.ops[0].options = { strid_w: 2 };
    }),
    { message: /unknown option strid_w/ },
  );
  t.throws(
    bad((m) => {
      m.ops[0].options = { padding: "FULL" };
    }),
    { message: /bad value "FULL"/ },
  );
  t.throws(
    bad((m) => {
      m.tensors[1].quant = { scale: [1, 2, 3], zeroPoint: [0, 0, 0] };
    }),
    { message: /3 scales along dimension 0/ },
  );
  t.throws(
    bad((m) => {
      m.ops[1].options = { new_shape: 5 };
    }),
    { message: /list of ints/ },
  );
});

test("op models are deterministic and cover every op in int8 and float32", (t) => {
  const a = opModels(),
    b = opModels();
  t.deepEqual(
    a.map((m) => m.name),
    b.map((m) => m.name),
  );
  a.forEach((m, i) => {
    t.deepEqual(m.bytes, b[i].bytes, m.name);
    t.deepEqual(m.inputs, b[i].inputs, m.name);
  });
  t.is(new Set(a.map((m) => m.name)).size, a.length);
  const ops = (type: string) =>
    new Set(a.filter((m) => m.name.startsWith(`${type}/`)).map((m) => m.op));
  for (const op of [
    "CONV_2D",
    "DEPTHWISE_CONV_2D",
    "FULLY_CONNECTED",
    "AVERAGE_POOL_2D",
    "MAX_POOL_2D",
    "SOFTMAX",
    "RESHAPE",
    "ADD",
    "MUL",
    "CONCATENATION",
    "QUANTIZE",
    "DEQUANTIZE",
    "LOGISTIC",
    "TANH",
    "MEAN",
    "PAD",
  ])
    t.true(ops("int8").has(op), `int8 ${op}`);
  for (const op of [
    "CONV_2D",
    "FULLY_CONNECTED",
    "MAX_POOL_2D",
    "SOFTMAX",
    "RESHAPE",
    "ADD",
    "MUL",
    "LOGISTIC",
    "TANH",
    "MEAN",
    "PAD",
    "CONCATENATION",
    "AVERAGE_POOL_2D",
    "DEPTHWISE_CONV_2D",
  ])
    t.true(ops("float32").has(op), `float32 ${op}`);
  // Weights are per-channel on the axis TFLite expects.
  const dw = a.find((m) => m.name.startsWith("int8/DEPTHWISE_CONV_2D/"))!;
  t.is(dw.model.tensors[dw.model.ops[0].inputs[1]].quant?.quantizedDimension, 3);
});

test("every op model loads in TFLite and runs to outputs of the declared shapes", async (t) => {
  for (const m of opModels()) {
    const ref = await loadReference(m.bytes);
    const declared = m.model.outputs.map((i) => m.model.tensors[i]);
    t.deepEqual(
      ref.outputs.map((o) => [o.shape, o.dtype]),
      declared.map((d) => [d.shape, d.type]),
      m.name,
    );
    t.deepEqual(
      ref.inputs.map((o) => o.shape),
      m.model.inputs.map((i) => m.model.tensors[i].shape),
      m.name,
    );
    t.is(m.inputs.length, 3);
    const results = m.inputs.map((set) => {
      t.is(
        set.length,
        m.inputBytes.reduce((x, y) => x + y, 0),
        m.name,
      );
      let at = 0;
      const parts = m.inputBytes.map((n) => set.subarray(at, (at += n)));
      return ref.run(parts);
    });
    for (const outs of results) {
      outs.forEach((o, k) =>
        t.is(
          o.length,
          declared[k].shape.reduce((x, y) => x * y, 1),
          m.name,
        ),
      );
      if (outs[0] instanceof Float32Array) t.true(outs[0].every(Number.isFinite), m.name);
    }
    // Random inputs should not all collapse onto one output value.
    const distinct = new Set(results.flatMap((outs) => Array.from(outs[0] as ArrayLike<number>)));
    t.true(distinct.size > 1, `${m.name}: outputs are constant`);
    ref.dispose();
  }
});
