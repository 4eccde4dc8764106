// Inference cycle totals of every fixture model on every board (mcxn947 with and without its NPU), pinned to the cycle: a change to the
// meter (counted loops, issue 16 §4) or the toolchain that moves any of them is a change to
// every figure the emulator reports. Figures: cycles of the inference (first layer's start to
// last layer's end), cycles until the engine was ready, busy cycles of the whole run; measured
// at fe73b31 (before counted loops) and unchanged after them; re-pinned after the engine-tail
// change (issue 16 §1: requantise then clamp, biases read in place, multipliers without double
// division), which moved every quantised model's inference by a few per cent and cut start-up;
// again after the head change (batch-1 FULLY_CONNECTED and generic DEPTHWISE_CONV_2D without
// records or scratch, the multiplier's quotient by a per-layer reciprocal): start-up down
// 5-10 %, inference down up to 2 % (hello_world 26 %, network_model 8 %).
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
      rt1060: [14504619, 1156176, 15668887],
      rt1170: [14504619, 1156101, 15668812],
      "mcxn947-cpu": [19100328, 1541935, 20656165],
      "mcxn947-npu": [1728950, 1543967, 1575827],
    },
  },
  kws_ref_model: {
    file: "mlcommons-tiny/kws_ref_model.tflite",
    input: null,
    cycles: {
      rt1060: [4569779, 344736, 4915816],
      rt1170: [4569779, 344736, 4915816],
      "mcxn947-cpu": [6012443, 464587, 6478734],
      "mcxn947-npu": [973364, 465433, 475394],
    },
  },
  ad01_int8: {
    file: "mlcommons-tiny/ad01_int8.tflite",
    input: null,
    cycles: {
      rt1060: [667588, 109539, 778468],
      rt1170: [667588, 109539, 778468],
      "mcxn947-cpu": [871797, 155941, 1029509],
      "mcxn947-npu": [603136, 156656, 164283],
    },
  },
  str_ww_ref_model: {
    file: "mlcommons-tiny/str_ww_ref_model.tflite",
    input: null,
    cycles: {
      rt1060: [3938595, 392065, 4332139],
      rt1170: [3938595, 392065, 4332139],
      "mcxn947-cpu": [4930993, 533661, 5466676],
      "mcxn947-npu": [212465, 534376, 543117],
    },
  },
  person_detect: {
    file: "tflite-micro/person_detect.tflite",
    input: "tflite-micro/person_image_data.i8.bin",
    cycles: {
      rt1060: [14382747, 1168884, 15555115],
      rt1170: [14382747, 1168809, 15555040],
      "mcxn947-cpu": [18937612, 1569383, 20512618],
      "mcxn947-npu": [2050968, 1571415, 1594995],
    },
  },
  hello_world_int8: {
    file: "tflite-micro/hello_world_int8.tflite",
    input: null,
    cycles: {
      rt1060: [3875, 37755, 42810],
      rt1170: [3875, 37755, 42810],
      "mcxn947-cpu": [5089, 53366, 59938],
      "mcxn947-npu": [31340, 53620, 56937],
    },
  },
  hello_world_float: {
    file: "tflite-micro/hello_world_float.tflite",
    input: null,
    cycles: {
      rt1060: [5939, 33780, 40899],
      rt1170: [5939, 33780, 40899],
      "mcxn947-cpu": [7263, 45230, 53977],
      "mcxn947-npu": [7263, 45261, 54008],
    },
  },
  micro_speech_quantized: {
    file: "tflite-micro/micro_speech_quantized.tflite",
    input: null,
    cycles: {
      rt1060: [1755172, 135243, 1892086],
      rt1170: [1755172, 135243, 1892086],
      "mcxn947-cpu": [2347939, 187006, 2537308],
      "mcxn947-npu": [1355819, 187259, 192384],
    },
  },
  network_model: {
    file: "tflite-micro/network_tester/network_model.tflite",
    input: "tflite-micro/network_tester/input_data.bin",
    cycles: {
      rt1060: [67966, 23936, 93337],
      rt1170: [67966, 23936, 93337],
      "mcxn947-cpu": [83958, 32930, 118832],
      "mcxn947-npu": [27952, 33052, 35680],
    },
  },
  magic_wand: {
    file: "tflite-micro/magic_wand/magic_wand.tflite",
    input: "tflite-micro/magic_wand/ring_micro_features_data.f32.bin",
    cycles: {
      rt1060: [1001542, 64543, 1067648],
      rt1170: [1001542, 64543, 1067648],
      "mcxn947-cpu": [1243684, 86396, 1332253],
      "mcxn947-npu": [1243684, 86437, 1332294],
    },
  },
  dtln: {
    file: "tflite-micro/dtln/dtln_noise_suppression.tflite",
    input: "tflite-micro/dtln/dtln_feature_data.i8.bin",
    cycles: {
      rt1060: [1149199, 298425, 1448868],
      rt1170: [1149199, 298425, 1448868],
      "mcxn947-cpu": [1513370, 421644, 1936613],
      "mcxn947-npu": [1496943, 421766, 1823430],
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
