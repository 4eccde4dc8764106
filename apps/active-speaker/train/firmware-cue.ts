// The direction cue's per-hop steered responses computed by the firmware (firmware/dsp/srp-cue.ts,
// the code the app links) on an emulated board, through the dsp-probe firmware app (emulator/dsp-probe.ts), on the same
// microphone signals the host measurement (direction-cue.ts hopSrp) takes: so the firmware's cue
// can be scored and compared with the host's value for value.
import { OP, f32bits, runDsp, asF32 } from "../../../emulator/dsp-probe.ts";
import type { HopSrp, Mm } from "./direction-cue.ts";
import { K_HI } from "./direction-cue.ts";

export interface FirmwareSrp extends HopSrp {
  /** Cycles of the whole signal's hops (the probe's span: windows, FFTs and the cue). */
  cycles: number;
}

/** `channels` rendered at 16 kHz, microphones in the camera's frame (mm), the faces' azimuths. */
export async function firmwareHopSrp(
  channels: ArrayLike<number>[],
  micsMm: Mm,
  faceAz: number[],
  board: string,
): Promise<FirmwareSrp> {
  const m = channels.length,
    total = channels[0].length;
  const data = new Float32Array(m * 3 + faceAz.length + m * total);
  micsMm.forEach((p, i) => data.set(p, i * 3));
  data.set(faceAz, m * 3);
  channels.forEach((x, c) => data.set(Array.from(x), m * 3 + faceAz.length + c * total));
  const [r] = await runDsp(
    [{ op: OP.srpCue, params: [m, faceAz.length, total, K_HI, f32bits(0)], data }],
    board,
  );
  const v = asF32(r.bytes);
  const stride = faceAz.length + 2;
  const hops = v.length / stride;
  const out: FirmwareSrp = {
    hops,
    face: new Float64Array(hops * faceAz.length),
    mean: new Float64Array(hops),
    max: new Float64Array(hops),
    cycles: r.cycles,
  };
  for (let k = 0; k < hops; k++) {
    for (let f = 0; f < faceAz.length; f++) out.face[k * faceAz.length + f] = v[k * stride + f];
    out.mean[k] = v[k * stride + faceAz.length];
    out.max[k] = v[k * stride + faceAz.length + 1];
  }
  return out;
}
