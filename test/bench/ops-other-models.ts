// Single-op models for the ops bench (ops.ts) of the registry's ops and element types that
// have no case in test/helpers/tflm-op-cases.ts: the first model of test/helpers/op-models.ts
// for that op and type (the original kernels: CONV_2D, pooling, ADD, SOFTMAX, ...), else a
// small model here (the RELU family, SQUEEZE, int8 DIV), test/helpers/svdf-models.ts (SVDF) or
// test/helpers/lstm-models.ts (UNIDIRECTIONAL_SEQUENCE_LSTM).
import type { WriterModel, WriterTensor } from "../../emulator/model/tflite-writer.ts";
import { SUPPORTED_OPS } from "../../emulator/model/supported-ops.ts";
import { opModels } from "../helpers/op-models.ts";
import { int8SvdfModel, svdfModel } from "../helpers/svdf-models.ts";
import { lstmModel } from "../helpers/lstm-models.ts";

export interface OpBenchModel {
  op: string;
  type: "int8" | "float32";
  model: WriterModel;
}

const q = (scale: number, zeroPoint: number) => ({
  scale: [Math.fround(scale)],
  zeroPoint: [zeroPoint],
});

function unary(
  op: string,
  type: "int8" | "float32",
  shape: number[],
  out: number[],
  inQ?: WriterTensor["quant"],
  outQ?: WriterTensor["quant"],
): WriterModel {
  const int8 = type === "int8";
  return {
    tensors: [
      { name: "input", type, shape, quant: int8 ? inQ : undefined },
      { name: "output", type, shape: out, quant: int8 ? outQ : undefined },
    ],
    ops: [{ op, inputs: [0], outputs: [1] }],
    inputs: [0],
    outputs: [1],
  };
}

/** The tflm-op cases' DIV shape; int8 DIV has no case (TFLite has no int8 DIV to compare with). */
const div8: WriterModel = {
  tensors: [
    { name: "x", type: "int8", shape: [2, 3, 7], quant: q(0.05, 2) },
    { name: "y", type: "int8", shape: [2, 3, 7], quant: q(0.04, -3) },
    { name: "output", type: "int8", shape: [2, 3, 7], quant: q(0.1, 0) },
  ],
  ops: [{ op: "DIV", inputs: [0, 1], outputs: [2] }],
  inputs: [0, 1],
  outputs: [2],
};

/** The SVDF of a keyword model's first layer: 40 features, 32 units, rank 2, memory 10. */
const SVDF_SHAPE = { batches: 1, inputSize: 40, units: 32, rank: 2, memory: 10, bias: true };

/** One step of a 64-input, 32-unit int8 LSTM, without the intermediates (only TFLite's
 *  runtime reads them; the merged bench model does not renumber them). */
function benchLstm(): WriterModel {
  const m = lstmModel({ batches: 1, steps: 1, inputSize: 64, units: 32 });
  delete m.ops[0].intermediates;
  return m;
}

function handMade(op: string, type: "int8" | "float32"): WriterModel | null {
  switch (op) {
    case "RELU":
    case "RELU6":
    case "RELU_0_TO_1":
      return unary(op, type, [1, 60], [1, 60], q(0.05, -10), q(0.03, -128));
    case "DIV":
      return type === "int8" ? div8 : null;
    case "SQUEEZE":
      return unary(op, type, [1, 1, 4, 6], [4, 6], q(0.05, 3), q(0.05, 3));
    case "SVDF":
      return type === "float32"
        ? svdfModel({ ...SVDF_SHAPE, act: "RELU" })
        : int8SvdfModel({
            ...SVDF_SHAPE,
            act: "RELU",
            inputZero: -20,
            outputZero: 0,
            stateScale: 1 / 4096,
            outputScale: 0.05,
          });
    case "UNIDIRECTIONAL_SEQUENCE_LSTM":
      return type === "int8" ? benchLstm() : null;
    default:
      return null;
  }
}

/** One model for every (op, type) the registry runs that `covered` lacks; throws if one has none. */
export function otherOpModels(covered: Set<string>): OpBenchModel[] {
  const fromOpModels = new Map<string, WriterModel>();
  for (const m of opModels()) {
    const key = `${m.name.split("/")[0]} ${m.op}`;
    if (!fromOpModels.has(key)) fromOpModels.set(key, m.model);
  }
  const out: OpBenchModel[] = [];
  for (const s of SUPPORTED_OPS) {
    for (const type of ["int8", "float32"] as const) {
      if (!s[type] || covered.has(`${type} ${s.op}`)) continue;
      const model = fromOpModels.get(`${type} ${s.op}`) ?? handMade(s.op, type);
      if (!model) throw new Error(`ops bench: no model for ${type} ${s.op}`);
      out.push({ op: s.op, type, model });
    }
  }
  return out;
}
