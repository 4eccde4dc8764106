// Inference cycle totals of every fixture model on every board (mcxn947 with and without its NPU), pinned to the cycle: a change to the
// meter (counted loops, issue 16 §4) or the toolchain that moves any of them is a change to
// every figure the emulator reports. Figures: cycles of the inference (first layer's start to
// last layer's end), cycles until the engine was ready, busy cycles of the whole run; measured
// at fe73b31 (before counted loops) and unchanged after them; re-pinned after the engine-tail
// change (issue 16 §1: requantise then clamp, biases read in place, multipliers without double
// division), which moved every quantised model's inference by a few per cent and cut start-up.
// A change that means to move them (a kernel, a cost table, the memory model) updates this table.
import test from "ava";
import { readFileSync } from "node:fs";
import { loadTarget } from "../../emulator/board.ts";
import { runModel } from "../../emulator/model/runner.ts";
import { readModel } from "../../emulator/model/tflite-model.ts";

const FIX = new URL("../../../shared/fixtures/", import.meta.url);
const fixture = (p: string) => new Uint8Array(readFileSync(new URL(p, FIX)));

/** model -> file, input (null: zeros), and per board [inference, startup, busy] cycles. */
const PINNED: Record<
  string,
  { file: string; input: string | null; cycles: Record<string, [number, number, number]> }
> = {
  vww_96_int8: {
    file: "mlcommons-tiny/vww_96_int8.tflite",
    input: null,
    cycles: {
      rt1060: [14504759, 1283180, 15796030],
      rt1170: [14504759, 1283105, 15795955],
      "mcxn947-cpu": [19100666, 1701308, 20815876],
      "mcxn947-npu": [1728950, 1703340, 1735200],
    },
  },
  kws_ref_model: {
    file: "mlcommons-tiny/kws_ref_model.tflite",
    input: null,
    cycles: {
      rt1060: [4570170, 371428, 4942899],
      rt1170: [4570170, 371428, 4942899],
      "mcxn947-cpu": [6013074, 498060, 6512838],
      "mcxn947-npu": [973363, 498907, 508867],
    },
  },
  ad01_int8: {
    file: "mlcommons-tiny/ad01_int8.tflite",
    input: null,
    cycles: {
      rt1060: [673926, 112871, 788137],
      rt1170: [673926, 112848, 788114],
      "mcxn947-cpu": [908063, 160194, 1070028],
      "mcxn947-npu": [603136, 160909, 168535],
    },
  },
  str_ww_ref_model: {
    file: "mlcommons-tiny/str_ww_ref_model.tflite",
    input: null,
    cycles: {
      rt1060: [4027496, 432609, 4461585],
      rt1170: [4027496, 432609, 4461585],
      "mcxn947-cpu": [5050211, 584562, 5636795],
      "mcxn947-npu": [212465, 585276, 594019],
    },
  },
  person_detect: {
    file: "tflite-micro/person_detect.tflite",
    input: "tflite-micro/person_image_data.i8.bin",
    cycles: {
      rt1060: [14382748, 1297103, 15683334],
      rt1170: [14382748, 1297028, 15683259],
      "mcxn947-cpu": [18937612, 1730316, 20673552],
      "mcxn947-npu": [2050968, 1732348, 1755928],
    },
  },
  hello_world_int8: {
    file: "tflite-micro/hello_world_int8.tflite",
    input: null,
    cycles: {
      rt1060: [5229, 38356, 44764],
      rt1170: [5229, 38356, 44764],
      "mcxn947-cpu": [7092, 54137, 62712],
      "mcxn947-npu": [31340, 54390, 57708],
    },
  },
  hello_world_float: {
    file: "tflite-micro/hello_world_float.tflite",
    input: null,
    cycles: {
      rt1060: [5939, 33789, 40908],
      rt1170: [5939, 33789, 40908],
      "mcxn947-cpu": [7263, 45243, 53990],
      "mcxn947-npu": [7263, 45274, 54021],
    },
  },
  micro_speech_quantized: {
    file: "tflite-micro/micro_speech_quantized.tflite",
    input: null,
    cycles: {
      rt1060: [1760920, 135745, 1898335],
      rt1170: [1760920, 135745, 1898335],
      "mcxn947-cpu": [2356798, 187632, 2546794],
      "mcxn947-npu": [1355819, 187885, 193010],
    },
  },
  network_model: {
    file: "tflite-micro/network_tester/network_model.tflite",
    input: "tflite-micro/network_tester/input_data.bin",
    cycles: {
      rt1060: [73852, 24769, 100056],
      rt1170: [73852, 24769, 100056],
      "mcxn947-cpu": [91699, 33979, 127621],
      "mcxn947-npu": [27952, 34101, 36730],
    },
  },
  magic_wand: {
    file: "tflite-micro/magic_wand/magic_wand.tflite",
    input: "tflite-micro/magic_wand/ring_micro_features_data.f32.bin",
    cycles: {
      rt1060: [1001542, 64537, 1067642],
      rt1170: [1001542, 64537, 1067642],
      "mcxn947-cpu": [1243684, 86379, 1332236],
      "mcxn947-npu": [1243684, 86420, 1332277],
    },
  },
  dtln: {
    file: "tflite-micro/dtln/dtln_noise_suppression.tflite",
    input: "tflite-micro/dtln/dtln_feature_data.i8.bin",
    cycles: {
      rt1060: [1150903, 298698, 1450845],
      rt1170: [1150903, 298698, 1450845],
      "mcxn947-cpu": [1519318, 421987, 1942903],
      "mcxn947-npu": [1496942, 422109, 1823771],
    },
  },
};

for (const [name, { file, input, cycles }] of Object.entries(PINNED)) {
  test(`${name}: inference, start-up and busy cycles on every board are as pinned`, async (t) => {
    const bytes = fixture(file);
    const m = readModel(bytes, name);
    const setBytes = m.inputs.reduce((n, i) => n + m.tensors[i].byteSize, 0);
    const set = input ? fixture(input) : new Uint8Array(setBytes);
    for (const [key, want] of Object.entries(cycles)) {
      const [board, unit] = key.split("-");
      const r = await runModel(bytes, [set], loadTarget(board), { name, cpuOnly: unit === "cpu" });
      t.deepEqual([r.inferences[0].cycles, r.startupCycles, r.summary.busyCycles], want, key);
    }
  });
}
