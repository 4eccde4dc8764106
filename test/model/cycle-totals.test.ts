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
      rt1060: [14261008, 3462205, 17731305],
      rt1170: [14261008, 3462130, 17731230],
      "mcxn947-cpu": [18648825, 4661128, 23323857],
      "mcxn947-npu": [1728950, 4663160, 4695020],
    },
  },
  kws_ref_model: {
    file: "mlcommons-tiny/kws_ref_model.tflite",
    input: null,
    cycles: {
      rt1060: [4607392, 865704, 5474397],
      rt1170: [4607392, 865704, 5474397],
      "mcxn947-cpu": [6036870, 1181438, 7220012],
      "mcxn947-npu": [973363, 1182284, 1192245],
    },
  },
  ad01_int8: {
    file: "mlcommons-tiny/ad01_int8.tflite",
    input: null,
    cycles: {
      rt1060: [681148, 607323, 1289811],
      rt1170: [681148, 607300, 1289788],
      "mcxn947-cpu": [918277, 1617050, 2537097],
      "mcxn947-npu": [603136, 1617765, 1625392],
    },
  },
  str_ww_ref_model: {
    file: "mlcommons-tiny/str_ww_ref_model.tflite",
    input: null,
    cycles: {
      rt1060: [4091560, 1177781, 5270820],
      rt1170: [4091560, 1177781, 5270820],
      "mcxn947-cpu": [5129341, 1596967, 6728329],
      "mcxn947-npu": [212466, 1597681, 1606423],
    },
  },
  person_detect: {
    file: "tflite-micro/person_detect.tflite",
    input: "tflite-micro/person_image_data.i8.bin",
    cycles: {
      rt1060: [14199432, 3770096, 17973012],
      rt1170: [14199432, 3770021, 17972937],
      "mcxn947-cpu": [18584273, 5104211, 23694107],
      "mcxn947-npu": [2050968, 5106243, 5129823],
    },
  },
  hello_world_int8: {
    file: "tflite-micro/hello_world_int8.tflite",
    input: null,
    cycles: {
      rt1060: [5313, 44608, 51101],
      rt1170: [5313, 44608, 51101],
      "mcxn947-cpu": [7227, 77418, 86128],
      "mcxn947-npu": [31340, 77671, 80990],
    },
  },
  hello_world_float: {
    file: "tflite-micro/hello_world_float.tflite",
    input: null,
    cycles: {
      rt1060: [5939, 33678, 40797],
      rt1170: [5939, 33678, 40797],
      "mcxn947-cpu": [7263, 45095, 53842],
      "mcxn947-npu": [7263, 45126, 53873],
    },
  },
  micro_speech_quantized: {
    file: "tflite-micro/micro_speech_quantized.tflite",
    input: null,
    cycles: {
      rt1060: [1694078, 158779, 1854526],
      rt1170: [1694078, 158779, 1854526],
      "mcxn947-cpu": [2266092, 218701, 2487156],
      "mcxn947-npu": [1355819, 218955, 224080],
    },
  },
  network_model: {
    file: "tflite-micro/network_tester/network_model.tflite",
    input: "tflite-micro/network_tester/input_data.bin",
    cycles: {
      rt1060: [76352, 37412, 115200],
      rt1170: [76352, 37412, 115200],
      "mcxn947-cpu": [94837, 50458, 147238],
      "mcxn947-npu": [27952, 50579, 53208],
    },
  },
  magic_wand: {
    file: "tflite-micro/magic_wand/magic_wand.tflite",
    input: "tflite-micro/magic_wand/ring_micro_features_data.f32.bin",
    cycles: {
      rt1060: [1001542, 64746, 1067851],
      rt1170: [1001542, 64746, 1067851],
      "mcxn947-cpu": [1243684, 86668, 1332525],
      "mcxn947-npu": [1243684, 86709, 1332566],
    },
  },
  dtln: {
    file: "tflite-micro/dtln/dtln_noise_suppression.tflite",
    input: "tflite-micro/dtln/dtln_feature_data.i8.bin",
    cycles: {
      rt1060: [1152475, 366516, 1520234],
      rt1170: [1152475, 366493, 1520211],
      "mcxn947-cpu": [1521291, 635988, 2158877],
      "mcxn947-npu": [1496942, 636109, 2037772],
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
