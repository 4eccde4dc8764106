// firmware/dsp on every board: the same jobs give the same outputs on rt1060, rt1170 and
// mcxn947 (one wasm, no board-specific arithmetic), and the same cycles when run again.
import test from "ava";
import { runDsp, OP, type DspJob } from "../../../emulator/dsp-probe.ts";
import { modulate } from "../../helpers/sigma-delta.ts";
import { testClips } from "../../helpers/audio-clips.ts";

function jobs(): DspJob[] {
  const yes = testClips()[0].pcm;
  return [
    { op: OP.kwsClip, data: yes },
    { op: OP.wwClip, data: yes },
    { op: OP.pdm, params: [128, 2560], data: modulate((t) => 0.25 * Math.sin(2 * Math.PI * 700 * t), 2_048_000, 2560 * 8 * 4) },
    { op: OP.noiseSuppressor, data: Float32Array.from({ length: 1600 }, (_, i) => 0.2 * Math.sin(i * 0.3) + 0.05 * Math.cos(i * 2.1)) },
  ];
}

test("same outputs on every board, same cycles on a second run", async (t) => {
  const first = await runDsp(jobs(), "rt1060");
  for (const board of ["rt1170", "mcxn947"]) {
    const a = await runDsp(jobs(), board);
    const b = await runDsp(jobs(), board);
    a.forEach((r, i) => {
      t.deepEqual(r.bytes, first[i].bytes, `${board}: job ${i} output differs from rt1060`);
      t.is(b[i].cycles, r.cycles, `${board}: job ${i} cycles differ between runs`);
      t.deepEqual(b[i].bytes, r.bytes);
    });
    t.log(`${board}: KWS clip ${a[0].cycles} cycles (rt1060 ${first[0].cycles})`);
  }
});
