// NXP's published latencies of the MCX N947 with its eIQ Neutron N1-16 NPU, and the models we
// compare them with. The NPU's timing constants (boards/mcxn947.json) are fitted to these; the
// calibration test (test/model/npu-calibration.test.ts) and the bench (test/bench/npu.ts)
// check every figure stays within +-25 %. Table and reasoning: docs/cost-model.md, "NPU".

export interface PublishedNpuFigure {
  /** What NXP ran. */
  model: string;
  /** Latency NXP reports on the FRDM-MCXN947 with the Neutron, in ms. */
  npuMs: number;
  /** NXP's CPU-only (Cortex-M33, TFLM) latency of the same model, when published. */
  cpuMs: number | null;
  /** Where the figure is. */
  source: string;
  /** The model we run: a path relative to the project ("apps/...") or to ../shared/fixtures. */
  ours: string | null;
  /** How our model relates to NXP's. */
  note: string;
}

const MLPERF =
  "NXP Application Code Hub dm-mcxn947-npu-vs-tensorflm-benchmark, README table (MLPerf Tiny v1.0 models, unverified, SDK 2.14)";

export const PUBLISHED_NPU: PublishedNpuFigure[] = [
  {
    model: "MLPerf Tiny AD (FC autoencoder)",
    npuMs: 4.174,
    cpuMs: 9.452,
    source: MLPERF,
    ours: "mlcommons-tiny/ad01_int8.tflite",
    note: "same model (ad01_int8)",
  },
  {
    model: "MLPerf Tiny KWS (DS-CNN)",
    npuMs: 7.164,
    cpuMs: 67.794,
    source: MLPERF,
    ours: "mlcommons-tiny/kws_ref_model.tflite",
    note: "same model (kws_ref_model)",
  },
  {
    model: "MLPerf Tiny VWW (MobileNetV1 0.25)",
    npuMs: 10.169,
    cpuMs: 218.563,
    source: MLPERF,
    ours: "mlcommons-tiny/vww_96_int8.tflite",
    note: "same model (vww_96_int8)",
  },
  {
    model: "MLPerf Tiny IC (ResNet-8)",
    npuMs: 10.6,
    cpuMs: 247.253,
    source: MLPERF,
    ours: null,
    note: "not compared: the model is not among the fixtures",
  },
  {
    model: "NXP fan-state monitor CNN (~53 k MACs)",
    npuMs: 0.39,
    cpuMs: null,
    source:
      "NXP ap-ml-state-monitor, boards/frdmmcxn947/ml_state_monitor/readme.md, example output 'Inference run: t 390 us'",
    ours: "apps/fan-monitor/model/fan_state_int8.tflite",
    note: "our fan-monitor model: same task and input window, 49 k MACs, not NXP's weights",
  },
];

/** NXP's headline claim, for context: not a latency, so not calibrated against. */
export const NPU_HEADLINE = {
  claim: "up to 42x faster machine learning throughput compared to a CPU core alone",
  source: "NXP MCX N94x/N54x fact sheet (block diagram PDF, May 2024)",
};
