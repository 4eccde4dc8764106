// Runs firmware/dsp functions on an emulated board through the dsp-probe firmware app
// (firmware/dsp-probe): jobs go into the flash partition "jobs", each job's output comes
// back as a report and its compute's cycles from the layer span around it. The tests, the DSP
// bench and the active speaker's evaluation (apps/active-speaker/train/firmware-cue.ts) use it.
import path from "node:path";
import { loadTarget } from "./board.ts";
import { buildApp } from "./toolchain/build.ts";
import { withPartitions } from "./model/runner.ts";
import type { Image } from "./toolchain/image.ts";
import { Machine } from "./machine.ts";
import { prepareImageCheck } from "./toolchain/verify-image.ts";
import { PROJECT_ROOT } from "./paths.ts";

export const DSP_PROBE_APP = path.join(PROJECT_ROOT, "firmware", "dsp-probe");

export const OP = {
  rfftF32: 1,
  rfftQ15: 2,
  rfftQ31: 3,
  irfftF32: 4,
  mel: 5,
  dct: 6,
  kwsClip: 7,
  wwClip: 8,
  kwsFrame: 9,
  wwFrame: 10,
  pdm: 11,
  biquad: 12,
  gccPhat: 13,
  beam: 14,
  noiseSuppressor: 15,
  agc: 16,
  window: 17,
  spectrum: 18,
  superdirective: 19,
  superdirectiveCalibrated: 20,
  srpCue: 21,
  mvdr: 22,
  steerHold: 23,
  beamPast: 24,
  beamPastTwice: 25,
  maskedStft: 26,
} as const;

export interface DspJob {
  op: number;
  params?: number[]; // up to 5 u32 (use f32bits for floats)
  data: ArrayBufferView;
}

export interface DspResult {
  bytes: Uint8Array;
  cycles: number;
}

export const f32bits = (x: number): number => new Uint32Array(new Float32Array([x]).buffer)[0];

const images = new Map<string, Promise<Image>>();

function windowFor(bytes: number): number {
  for (const w of [1 << 20, 4 << 20, 16 << 20]) if (bytes + 8192 <= w) return w;
  throw new Error(`dsp jobs too large: ${bytes} B`);
}

function image(board: string, window: number): Promise<Image> {
  const key = `${board}-${window}`;
  if (!images.has(key))
    images.set(
      key,
      buildApp(DSP_PROBE_APP, loadTarget(board), { flashWindow: window }).then((r) => r.image),
    );
  return images.get(key)!;
}

export function encodeJobs(jobs: DspJob[]): Uint8Array {
  const parts: Buffer[] = [];
  for (const j of jobs) {
    const head = Buffer.alloc(28);
    head.writeUInt32LE(j.op, 0);
    (j.params ?? []).forEach((p, i) => head.writeUInt32LE(p >>> 0, 4 + 4 * i));
    const data = Buffer.from(j.data.buffer, j.data.byteOffset, j.data.byteLength);
    head.writeUInt32LE(data.length, 24);
    parts.push(head, data, Buffer.alloc((4 - (data.length % 4)) % 4));
  }
  return new Uint8Array(Buffer.concat(parts));
}

/** Runs the jobs in one boot on `board`; one result per job, in order. */
export async function runDsp(jobs: DspJob[], board = "rt1060"): Promise<DspResult[]> {
  const blob = encodeJobs(jobs);
  const target = loadTarget(board);
  const img = withPartitions(await image(board, windowFor(blob.length)), [
    { name: "jobs", data: blob },
  ]);
  await prepareImageCheck(img.wasm);
  const machine = new Machine({ target, image: img, sdcard: null });
  let text = "";
  const outs: Uint8Array[] = [];
  const spans = new Map<number, { start: number; end: number }>();
  machine.events.on("console", (t) => {
    text += t;
  });
  machine.events.on("report", (kind, bytes) => {
    if (kind === 1) outs.push(new Uint8Array(bytes));
  });
  machine.events.on("layerBegin", (index, _op, cycles) => {
    spans.set(index, { start: cycles, end: cycles });
  });
  machine.events.on("layerEnd", (index, cycles) => {
    const s = spans.get(index);
    if (s) s.end = cycles;
  });
  const summary = await machine.run({ seconds: 3600 });
  if (summary.fault)
    throw new Error(`dsp-probe fault: ${summary.fault.kind}: ${summary.fault.message}`);
  if (summary.exitCode !== 0) throw new Error(`dsp-probe: ${text.trim()}`);
  if (outs.length !== jobs.length)
    throw new Error(`dsp-probe: ${outs.length} outputs for ${jobs.length} jobs`);
  return outs.map((bytes, i) => ({
    bytes,
    cycles: (spans.get(i)?.end ?? 0) - (spans.get(i)?.start ?? 0),
  }));
}

export const asF32 = (b: Uint8Array): Float32Array =>
  new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
export const asI16 = (b: Uint8Array): Int16Array =>
  new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
export const asI32 = (b: Uint8Array): Int32Array =>
  new Int32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
