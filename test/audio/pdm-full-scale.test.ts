// One full scale on every board: a tone of known dBFS read through the microphone peripheral
// gives the same sample level on rt1060 (SAI bit streams decimated by firmware/dsp/pdm.ts) as on
// rt1170 and mcxn947 (PCM from the emulated PDM receiver). Both read the microphone model's full
// scale (75 % pulse density, emulator/peripherals/mic/sigma-delta.ts) as 1.0.
import test from "ava";
import { FakeBoard } from "../helpers/fake-board.ts";
import { Microphones } from "../../emulator/peripherals/mic.ts";
import { loadMicArray, micLayout } from "../../emulator/peripherals/mic/array.ts";
import type { MicSource } from "../../emulator/inputs/mic-source.ts";
import { runDsp, OP, asI16 } from "../../emulator/dsp-probe.ts";
import { fitSine } from "../helpers/sigma-delta.ts";

const HZ = 1000;
const DBFS = -20;
const BLOCKS = 30; // 10 ms each
const SETTLE = 800; // samples skipped while the decimators fill

const tone: MicSource = {
  channels: 1,
  sampleRate: 16000,
  description: `${HZ} Hz at ${DBFS} dBFS`,
  read: (_c, start, out) => {
    for (let i = 0; i < out.length; i++)
      out[i] = 10 ** (DBFS / 20) * Math.sin((2 * Math.PI * HZ * (start + i)) / 16000);
  },
};

/** BLOCKS 10 ms buffers of one microphone, concatenated in the order they were filled. */
function capture(boardId: string, pdm: boolean): Uint8Array {
  const ctx = new FakeBoard(boardId);
  const array = boardId === "rt1170" ? null : loadMicArray("linear4-35mm"); // rt1060 and mcxn947 have no on-board microphones
  const hal = new Microphones(ctx, micLayout(ctx.target.board, array), tone).imports();
  const bytes = pdm ? 2560 : 320;
  const [a, b] = [0x1000, 0x8000];
  const r = pdm
    ? hal["configure-pdm"](1, 2_048_000, 10, a, b)
    : hal["configure-pcm"](1, 16000, 10, a, b);
  if (r !== 0) throw new Error(`${boardId}: configure ${r}`);
  hal.start();
  const out = new Uint8Array(BLOCKS * bytes);
  for (let k = 0; k < BLOCKS; k++) {
    ctx.idleUntilMs(10 * (k + 1) + 0.5);
    const idx = hal["take-buffer"]();
    if (idx < 0) throw new Error(`${boardId}: no buffer ${k}`);
    const at = idx === 0 ? a : b;
    out.set(ctx.bytes.subarray(at, at + bytes), k * bytes);
  }
  return out;
}

function levelDbfs(pcm: Int16Array): number {
  const x = Array.from(pcm.subarray(SETTLE), (v) => v / 32768);
  return 20 * Math.log10(fitSine(x, HZ, 16000).amplitude);
}

test(`a ${DBFS} dBFS tone reads ${DBFS} dBFS on rt1060 (firmware PDM decimator), rt1170 and mcxn947`, async (t) => {
  const bits = capture("rt1060", true);
  const [fw] = await runDsp([{ op: OP.pdm, params: [128, 2560], data: bits }], "rt1060");
  const levels: Record<string, number> = { rt1060: levelDbfs(asI16(fw.bytes)) };
  for (const board of ["rt1170", "mcxn947"]) {
    const raw = capture(board, false);
    levels[board] = levelDbfs(new Int16Array(raw.buffer, raw.byteOffset, raw.length / 2));
  }
  t.log(
    Object.entries(levels)
      .map(([b, l]) => `${b} ${l.toFixed(3)} dBFS`)
      .join(", "),
  );
  for (const [board, level] of Object.entries(levels))
    t.true(Math.abs(level - DBFS) < 0.1, `${board}: ${level.toFixed(3)} dBFS`);
  t.true(Math.abs(levels.rt1060 - levels.rt1170) < 0.05, "rt1060 and rt1170 agree");
});
