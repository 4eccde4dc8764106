// The microphone peripheral on a fake board (no firmware): exact buffer instants, ping-pong
// order, overruns, status codes, both layouts, determinism. Fast: no build.
import test from "ava";
import { FakeBoard } from "../helpers/fake-board.ts";
import { Microphones, MIC_ERR } from "../../emulator/peripherals/mic.ts";
import { loadMicArray, micLayout } from "../../emulator/peripherals/mic/array.ts";
import { LINE } from "../../emulator/peripherals/peripheral.ts";
import type { MicSource } from "../../emulator/inputs/mic-source.ts";
import { UserError } from "../../emulator/errors.ts";

function board(id: string, array: string | null = null, source: MicSource | null = null) {
  const ctx = new FakeBoard(id);
  const layout = micLayout(ctx.target.board, array ? loadMicArray(array) : null);
  const mic = new Microphones(ctx, layout, source);
  const hal = mic.imports();
  return {
    ctx,
    clock: ctx.clock,
    mem: ctx.bytes,
    mic,
    hal,
    /** The mic's trace events so far as [what, start, end], in order. */
    get log(): [string, number, number][] {
      return ctx.trace.map((e) => [e.what, e.start, e.end]);
    },
    until: (ms: number) => ctx.idleUntilMs(ms),
    pending: () => ctx.pending,
  };
}

const tone = (hz: number, amp: number, rate = 16000): MicSource => ({
  channels: 4,
  sampleRate: rate,
  description: "tone",
  read: (_c, start, out) => {
    for (let i = 0; i < out.length; i++)
      out[i] = amp * Math.sin((2 * Math.PI * hz * (start + i)) / rate);
  },
});

test("rt1170 PCM: buffers land at the end of each 10 ms period plus the DMA's last burst, a, b, a, ...", (t) => {
  const b = board("rt1170", null, tone(1000, 0.25));
  t.is(b.hal["configure-pcm"](2, 16000, 10, 0x1000, 0x8000), 0);
  b.hal.start();
  const start = b.clock.now;
  const spec = b.ctx.target.board.microphones!;
  const dma = Math.ceil(2 * 8 * spec.dmaCyclesPerWord);
  b.until(9.99);
  t.is(b.hal["take-buffer"](), -1);
  t.is(b.pending() & LINE.mic, 0);
  b.until(10.01);
  t.is(b.pending() & LINE.mic, LINE.mic);
  t.is(b.hal["take-buffer"](), 0);
  t.is(b.pending() & LINE.mic, 0);
  b.until(30.01);
  t.is(b.hal["take-buffer"](), 1);
  t.is(b.hal["take-buffer"](), 0);
  t.is(b.hal["take-buffer"](), -1);
  const spans = b.log.filter(([w]) => /DMA/.test(w));
  t.deepEqual(
    spans.map(([, , end]) => end - start),
    [1, 2, 3].map((k) => Math.round((k * 10 * b.clock.hz) / 1000) + dma),
  );
  t.is(b.hal.overruns(), 0);
});

test("overruns: a filled buffer overwritten before it was taken", (t) => {
  const b = board("rt1170");
  b.hal["configure-pcm"](1, 16000, 10, 0x1000, 0x8000);
  b.hal.start();
  b.until(55); // blocks 0..4 landed, nothing taken: 0 and 1 overwritten by 2 and 3, 2 by 4
  t.is(b.hal.overruns(), 3);
  t.is(b.hal["take-buffer"](), 1); // block 3, the oldest still waiting
  t.is(b.hal["take-buffer"](), 0); // block 4
  t.true(b.log.filter(([w]) => /overrun/.test(w)).length === 3);
  t.deepEqual(b.mic.stats(), {
    micChannels: 1,
    micRunning: 1,
    micBuffers: 5,
    micTaken: 2,
    micOverruns: 3,
    micRateHz: 16000,
    micClippedSamples: 0,
  });
});

test("PCM layout: int16 LE planar per channel; a -6 dBFS tone comes out at -6 dBFS", (t) => {
  const b = board("mcxn947", "linear4-35mm", tone(1000, 0.5));
  t.is(b.hal["configure-pcm"](4, 16000, 20, 0x1000, 0x8000), 0);
  b.hal.start();
  b.until(60.1);
  const buf = new Int16Array(b.mem.buffer.slice(0x1000, 0x1000 + 4 * 320 * 2)); // block 2 in a
  for (let c = 0; c < 4; c++) {
    const ch = buf.subarray(c * 320, (c + 1) * 320);
    const peak = Math.max(...ch.map(Math.abs));
    t.true(Math.abs(20 * Math.log10(peak / 32768) + 6) < 0.3, `channel ${c} peak ${peak}`);
  }
});

test("rt1060 SAI: planar blocks of packed bits, MSB first; pulse density follows the signal", (t) => {
  const dc = (v: number): MicSource => ({
    channels: 2,
    sampleRate: 16000,
    description: "dc",
    read: (_c, _s, out) => out.fill(v),
  });
  const b = board("rt1060", "linear4-35mm", dc(0.5));
  t.is(b.hal["configure-pcm"](2, 16000, 10, 0x1000, 0x8000), MIC_ERR.wrongKind);
  t.is(b.hal["configure-pdm"](2, 2_000_000, 10, 0x1000, 0x8000), MIC_ERR.rate);
  t.is(b.hal["configure-pdm"](2, 2_048_000, 0, 0x1000, 0x8000), MIC_ERR.block);
  t.is(b.hal["configure-pdm"](0, 2_048_000, 10, 0x1000, 0x8000), MIC_ERR.channels);
  t.is(b.hal["configure-pdm"](2, 2_048_000, 10, 0x1000, 0x8000), 0);
  b.hal.start();
  t.is(b.hal["configure-pdm"](2, 2_048_000, 10, 0x1000, 0x8000), MIC_ERR.running);
  b.until(20.1);
  t.is(b.hal["take-buffer"](), 0);
  const bytes = b.mem.subarray(0x1000, 0x1000 + 2 * 2560);
  // PCM 0.5 full scale = modulator input 0.25: pulse density (1 + 0.25) / 2 = 62.5 %.
  for (let c = 0; c < 2; c++) {
    let ones = 0;
    for (const byte of bytes.subarray(c * 2560, (c + 1) * 2560))
      for (let k = 0; k < 8; k++) ones += (byte >> k) & 1;
    t.true(Math.abs(ones / 20480 - 0.625) < 0.005, `channel ${c}: ${ones / 20480}`);
  }
});

test("more channels than board + add-on is refused with both numbers; positions are the array's", (t) => {
  const b = board("rt1060", "sln-local2-tri");
  t.is(b.hal.kind(), 2);
  t.is(b.hal.count(), 3);
  const e = t.throws(() => b.hal["configure-pdm"](4, 2_048_000, 10, 0x1000, 0x8000), {
    instanceOf: UserError,
  });
  t.regex(
    e!.message,
    /configures 4 microphone channels; rt1060 has 3 \(0 on the board \+ 3 on the add-on array sln-local2-tri\)/,
  );
  t.is(b.hal.position(1, 0x100), 0);
  t.deepEqual(
    [...new Float32Array(b.mem.buffer.slice(0x100, 0x10c))],
    [-25, Math.fround(-14.43), 0],
  );
  t.is(b.hal.position(3, 0x100), -1);
  const none = board("mcxn947");
  t.is(none.hal.count(), 0);
  t.is(none.hal.kind(), 1);
});

test("same inputs, same buffers and instants", (t) => {
  const run = () => {
    const b = board("rt1170", null, tone(440, 0.3));
    b.hal["configure-pcm"](2, 48000, 5, 0x1000, 0x8000);
    b.hal.start();
    b.until(50.5);
    return { bytes: b.mem.slice(0x1000, 0x1000 + 2 * 240 * 2), log: b.log };
  };
  t.deepEqual(run(), run());
});
