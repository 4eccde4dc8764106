// Inference cycle totals of every fixture model on every board (mcxn947 with and without its NPU), pinned to the cycle: a change to the
// meter (counted loops, issue 16 §4) or the toolchain that moves any of them is a change to
// every figure the emulator reports. Figures: cycles of the inference (first layer's start to
// last layer's end), cycles until the engine was ready, busy cycles of the whole run; measured
// at fe73b31 (before counted loops) and unchanged after them.
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
      rt1060: [14260908, 3493680, 17762679],
      rt1170: [14260908, 3493605, 17762604],
      "mcxn947-cpu": [18648716, 4706671, 23369290],
      "mcxn947-npu": [1728950, 4708703, 4741603],
    },
  },
  kws_ref_model: {
    file: "mlcommons-tiny/kws_ref_model.tflite",
    input: null,
    cycles: {
      rt1060: [4607418, 889241, 5497960],
      rt1170: [4607418, 889241, 5497960],
      "mcxn947-cpu": [6036914, 1218535, 7257151],
      "mcxn947-npu": [973364, 1219381, 1229750],
    },
  },
  ad01_int8: {
    file: "mlcommons-tiny/ad01_int8.tflite",
    input: null,
    cycles: {
      rt1060: [691563, 2006881, 2699784],
      rt1170: [691563, 2006858, 2699761],
      "mcxn947-cpu": [931473, 4234265, 5167507],
      "mcxn947-npu": [603136, 4234979, 4242958],
    },
  },
  str_ww_ref_model: {
    file: "mlcommons-tiny/str_ww_ref_model.tflite",
    input: null,
    cycles: {
      rt1060: [4091533, 1188903, 5281916],
      rt1170: [4091533, 1188903, 5281916],
      "mcxn947-cpu": [5129315, 1614093, 6745430],
      "mcxn947-npu": [212466, 1614807, 1623896],
    },
  },
  person_detect: {
    file: "tflite-micro/person_detect.tflite",
    input: "tflite-micro/person_image_data.i8.bin",
    cycles: {
      rt1060: [14199324, 3810643, 18013450],
      rt1170: [14199324, 3810568, 18013375],
      "mcxn947-cpu": [18584161, 5161035, 23750820],
      "mcxn947-npu": [2050969, 5163067, 5187689],
    },
  },
  hello_world_int8: {
    file: "tflite-micro/hello_world_int8.tflite",
    input: null,
    cycles: {
      rt1060: [5481, 73433, 80093],
      rt1170: [5481, 73433, 80093],
      "mcxn947-cpu": [7438, 129477, 138398],
      "mcxn947-npu": [31340, 129730, 133153],
    },
  },
  hello_world_float: {
    file: "tflite-micro/hello_world_float.tflite",
    input: null,
    cycles: {
      rt1060: [5939, 38335, 45454],
      rt1170: [5939, 38335, 45454],
      "mcxn947-cpu": [7263, 51349, 60096],
      "mcxn947-npu": [7263, 51380, 60127],
    },
  },
  micro_speech_quantized: {
    file: "tflite-micro/micro_speech_quantized.tflite",
    input: null,
    cycles: {
      rt1060: [1694086, 166224, 1861979],
      rt1170: [1694086, 166224, 1861979],
      "mcxn947-cpu": [2266103, 230062, 2498527],
      "mcxn947-npu": [1355819, 230315, 235540],
    },
  },
  network_model: {
    file: "tflite-micro/network_tester/network_model.tflite",
    input: "tflite-micro/network_tester/input_data.bin",
    cycles: {
      rt1060: [76349, 38978, 116762],
      rt1170: [76349, 38978, 116762],
      "mcxn947-cpu": [94833, 52599, 149376],
      "mcxn947-npu": [27952, 52721, 55384],
    },
  },
  magic_wand: {
    file: "tflite-micro/magic_wand/magic_wand.tflite",
    input: "tflite-micro/magic_wand/ring_micro_features_data.f32.bin",
    cycles: {
      rt1060: [1001541, 75031, 1078136],
      rt1170: [1001541, 75031, 1078136],
      "mcxn947-cpu": [1243684, 100405, 1346262],
      "mcxn947-npu": [1243684, 100447, 1346304],
    },
  },
  dtln: {
    file: "tflite-micro/dtln/dtln_noise_suppression.tflite",
    input: "tflite-micro/dtln/dtln_feature_data.i8.bin",
    cycles: {
      rt1060: [1153998, 599165, 1754407],
      rt1170: [1153998, 599142, 1754384],
      "mcxn947-cpu": [1523220, 1062088, 2586906],
      "mcxn947-npu": [1496867, 1062209, 2463797],
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
