// The HAL's numbers, defined once: event lines, report kinds, camera formats, microphone
// kinds and status codes, as hal/hal.wit documents them. The host reads them from here; the
// firmware from the blocks marked "generated" in hal/*.ts, written from this table by
// `npm run gen:hal` (emulator/toolchain/hal-constants-gen.ts; a test fails when one is stale).

/** One group of constants: how the firmware's generated file names and types them. */
export interface ConstantGroup {
  /** The hal/<module>.ts wrapper that declares them. */
  module: string;
  /** Why they exist (a comment in the generated file). */
  doc: string;
  /** AssemblyScript type of the constants. */
  type: "u32" | "i32";
  /** Name in the firmware's hal (e.g. EVENT_ACCEL) -> value. */
  values: Readonly<Record<string, number>>;
}

/** Event lines clock.wait-event returns and masks (one bit per line; each is raised by the
 *  peripheral of its name, registry.ts); hal.wit's wait-event lists them. */
export const EVENT_LINE = { accel: 2, mic: 4, camera: 8 } as const;

/** Kinds of block debug.report hands the host. */
export const REPORT_KIND = { output: 1, plan: 2, model: 3, arena: 4, input: 5, audio: 6 } as const;

/** Pixel formats of camera.configure. */
export const CAMERA_FORMAT = { grey8: 0, rgb565: 1 } as const;

/** What mic.kind answers: the microphone interface the silicon has. */
export const MIC_KIND = { none: 0, pdmReceiver: 1, saiBitstream: 2 } as const;

/** Status codes of accel.configure. */
export const ACCEL_ERR = { rate: -1, range: -2, watermark: -3 } as const;
/** Status codes of camera.configure. */
export const CAMERA_ERR = { resolution: -1, format: -2, fps: -3, running: -4 } as const;
/** Status codes of mic.configure-pcm / configure-pdm. */
export const MIC_ERR = { wrongKind: -1, rate: -2, block: -3, running: -4, channels: -5 } as const;
/** Status codes of sdcard.read-blocks / write-blocks. */
export const SDCARD_STATUS = { ok: 0, noCard: -1, range: -2 } as const;
/** Bytes per SD card block. */
export const SDCARD_BLOCK = 512;

/** The firmware's view: what the generated blocks of hal/*.ts declare. */
export const FIRMWARE_CONSTANTS: readonly ConstantGroup[] = [
  {
    module: "clock",
    doc: "Event lines returned by waitEvent (clock.wait-event).",
    type: "u32",
    values: {
      EVENT_ACCEL: EVENT_LINE.accel,
      EVENT_MIC: EVENT_LINE.mic,
      EVENT_CAMERA: EVENT_LINE.camera,
      EVENT_ALL: Object.values(EVENT_LINE).reduce((a, b) => a | b, 0),
    },
  },
  {
    module: "debug",
    doc: "Kinds of debug.report: an output tensor, an arena plan, a prepared model then its arena (a debugger finds tensors with them), a model input an app computed, audio an app captured.",
    type: "u32",
    values: {
      REPORT_OUTPUT: REPORT_KIND.output,
      REPORT_PLAN: REPORT_KIND.plan,
      REPORT_MODEL: REPORT_KIND.model,
      REPORT_ARENA: REPORT_KIND.arena,
      REPORT_INPUT: REPORT_KIND.input,
      REPORT_AUDIO: REPORT_KIND.audio,
    },
  },
  {
    module: "camera",
    doc: "Pixel formats of camera.configure.",
    type: "u32",
    values: { FORMAT_GREY8: CAMERA_FORMAT.grey8, FORMAT_RGB565: CAMERA_FORMAT.rgb565 },
  },
  {
    module: "mic",
    doc: "mic.kind: no interface, a PDM receiver (int16 PCM buffers), a SAI bit stream (packed PDM bits, MSB first; the firmware decimates).",
    type: "u32",
    values: {
      KIND_NONE: MIC_KIND.none,
      KIND_PDM_RECEIVER: MIC_KIND.pdmReceiver,
      KIND_SAI_BITSTREAM: MIC_KIND.saiBitstream,
    },
  },
  { module: "sdcard", doc: "Bytes per block.", type: "u32", values: { BLOCK_SIZE: SDCARD_BLOCK } },
  {
    module: "sdcard",
    doc: "Status codes of sdcard.read-blocks / write-blocks.",
    type: "i32",
    values: {
      OK: SDCARD_STATUS.ok,
      ERR_NO_CARD: SDCARD_STATUS.noCard,
      ERR_RANGE: SDCARD_STATUS.range,
    },
  },
];
