// TFLM's DTLN suppressor on the signal itself (apps/voice-control/dtln.ts's pipeline, on the host
// but with the int8 model run by the firmware engine on an emulated board): speech and noise
// mixed at an SNR, the mask computed from the mixture as the firmware computes it
// (firmware/dsp/masked-stft.ts: |rfft| of the newest 512 samples every 128, quantised to the
// model's input), then applied to the speech and to the noise apart (the same gains on each:
// "shadow" filtering), so the SNR after the suppressor is measured exactly. Also the mean gain
// the mask gives speech-active frames and noise-only frames, and the speech level the model sees.
//   npx tsx test/bench/voice-dtln-snr.ts [--board rt1170] [--snr 0,5,10] [--level=-26,-36,-46]
// --level: the speech's active level in dBFS (the beam's output before the AGC; DTLN was
// trained on speech normalised to about -25 dBFS).
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadTarget } from "../../emulator/board.ts";
import { parseScriptArgs } from "../../emulator/cli/script-args.ts";
import { runModel } from "../../emulator/model/runner.ts";
import { readWav } from "../../emulator/inputs/wav.ts";
import { activeSpeech } from "../../emulator/inputs/room/active-speech.ts";
import { babbleNoise, fanNoise } from "../../emulator/inputs/room/noise.ts";
import { rngFor } from "../../emulator/inputs/room/prng.ts";
import { rfft } from "../helpers/dsp-reference.ts";
import { ROOT } from "./util.ts";

const FRAME = 512,
  HOP = 128,
  BINS = 257,
  RATE = 16000;
const MODEL = path.join(ROOT, "apps/voice-control/model/dtln_noise_suppression.tflite");
const IN_SCALE = 0.06858, // the model's input quantisation (fixtures README; read from the model by the firmware)
  IN_ZERO = -128,
  OUT_SCALE = 1 / 256,
  OUT_ZERO = -128;

const wav = (name: string) => Float64Array.from(readWav(path.join(ROOT, name)).channels[0]);

/** Real "marvin", then synthetic command words, 0.3 s apart. */
function speech(): Float64Array {
  const clips = [
    wav("apps/voice-control/audio/marvin_617de221_0.wav"),
    ...["on", "left", "go", "off"].map((w) => wav(`apps/voice-control/audio/espeak_${w}.wav`)),
  ];
  const gap = Math.round(0.3 * RATE);
  const out = new Float64Array(gap + clips.reduce((n, c) => n + c.length + gap, 0));
  let at = gap;
  for (const c of clips) {
    out.set(c, at);
    at += c.length + gap;
  }
  return out;
}

const power = (x: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s / x.length;
};

/** Per frame (hop h: samples up to (h + 1) HOP), the model's input bytes from the mixture. */
function magnitudeFrames(x: Float64Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  const buf = new Float64Array(FRAME);
  for (let h = 0; (h + 1) * HOP <= x.length; h++) {
    buf.copyWithin(0, HOP);
    buf.set(x.subarray(h * HOP, (h + 1) * HOP), FRAME - HOP);
    const { re, im } = rfft(buf);
    const q = new Int8Array(BINS);
    for (let k = 0; k < BINS; k++)
      q[k] = Math.max(
        -128,
        Math.min(127, Math.round(Math.hypot(re[k], im[k]) / IN_SCALE) + IN_ZERO),
      );
    frames.push(new Uint8Array(q.buffer));
  }
  return frames;
}

/** masked-stft.ts's synthesis with the given gains per frame: rect analysis, periodic Hann / 2 overlap-add. */
function applyMasks(x: Float64Array, masks: Float64Array[]): Float64Array {
  const y = new Float64Array(x.length);
  const hann = Float64Array.from(
    { length: FRAME },
    (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / FRAME),
  );
  masks.forEach((g, h) => {
    const start = (h + 1) * HOP - FRAME;
    const frame = Float64Array.from({ length: FRAME }, (_, i) =>
      start + i >= 0 ? x[start + i] : 0,
    );
    const { re, im } = rfft(frame);
    // Inverse by the real-signal sum (N = 512: cheap enough for a bench).
    for (let i = 0; i < FRAME; i++) {
      if (start + i < 0) continue;
      let s = re[0] * g[0] + re[BINS - 1] * g[BINS - 1] * (i % 2 ? -1 : 1);
      for (let k = 1; k < BINS - 1; k++) {
        const a = (2 * Math.PI * k * i) / FRAME;
        s += 2 * g[k] * (re[k] * Math.cos(a) - im[k] * Math.sin(a));
      }
      y[start + i] += (0.5 * hann[i] * s) / FRAME;
    }
  });
  return y;
}

export interface DtlnSnrRow {
  noise: string;
  levelDbfs: number;
  /** The SNR it was mixed at (active speech against the noise). */
  mixedAt: number;
  /** Measured over the words' span, pauses between words included. */
  snrIn: number;
  snrOut: number;
  speechGain: number;
  noiseGain: number;
  maskSpeech: number;
  maskNoise: number;
}

export async function dtlnSnr(
  board: string,
  snrs: number[],
  levels: number[],
  only: string[] = ["fan", "babble"],
): Promise<DtlnSnrRow[]> {
  const model = new Uint8Array(readFileSync(MODEL));
  const target = loadTarget(board);
  const s0 = speech();
  const act = activeSpeech(s0, RATE);
  const n = s0.length;
  const babbleClips = ["up", "down", "yes", "no", "stop", "right"].map((w) =>
    wav(`test/fixtures/audio/espeak_${w}.wav`),
  );
  const noises: Record<string, Float64Array> = {
    fan: fanNoise(n, RATE, rngFor(1, "dtln fan"), { f0: 80, harmonics: 10 }),
    babble: babbleNoise(n, RATE, rngFor(1, "dtln babble"), { voices: 4, clips: babbleClips }),
  };
  // Speech-active hops: a hop whose 512-sample frame is mostly inside the active span.
  const hops = Math.floor(n / HOP);
  const active = Array.from({ length: hops }, (_, h) => {
    const mid = (h + 1) * HOP - FRAME / 2;
    return (
      mid >= act.start &&
      mid < act.end &&
      power(s0.subarray(Math.max(0, mid - 256), mid + 256)) > act.power / 10
    );
  });
  const rows: DtlnSnrRow[] = [];
  for (const [name, noise0] of Object.entries(noises).filter(([k]) => only.includes(k)))
    for (const level of levels)
      for (const snr of snrs) {
        const gs = Math.sqrt(10 ** (level / 10) / act.power);
        const s = s0.map((v) => v * gs);
        const gn = Math.sqrt((act.power * gs * gs) / 10 ** (snr / 10) / power(noise0));
        const v = noise0.map((x) => x * gn);
        const mix = s.map((x, i) => x + v[i]);
        const run = await runModel(model, magnitudeFrames(mix), target);
        const masks = run.inferences.map((r) =>
          Float64Array.from(
            new Int8Array(r.outputs[0].buffer, r.outputs[0].byteOffset, BINS),
            (q) => (q - OUT_ZERO) * OUT_SCALE,
          ),
        );
        const ys = applyMasks(s, masks),
          yv = applyMasks(v, masks);
        const mean = (pick: boolean) => {
          const m = masks.filter((_, h) => active[h] === pick);
          return (
            m.reduce((a, g) => a + g.reduce((b, x) => b + x, 0) / BINS, 0) / Math.max(1, m.length)
          );
        };
        const seg = (x: Float64Array) => power(x.subarray(act.start + FRAME, act.end));
        rows.push({
          noise: name,
          levelDbfs: level,
          mixedAt: snr,
          snrIn: 10 * Math.log10(seg(s) / seg(v)),
          snrOut: 10 * Math.log10(seg(ys) / seg(yv)),
          speechGain: 10 * Math.log10(seg(ys) / seg(s)),
          noiseGain: 10 * Math.log10(seg(yv) / seg(v)),
          maskSpeech: mean(true),
          maskNoise: mean(false),
        });
      }
  return rows;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseScriptArgs("voice-dtln-snr", {
    options: {
      board: { type: "string", default: "rt1170" },
      snr: { type: "string", default: "0,5,10" },
      level: { type: "string", default: "-26,-36,-46" },
    },
  });
  const rows = await dtlnSnr(
    values.board as string,
    (values.snr as string).split(",").map(Number),
    (values.level as string).split(",").map(Number),
  );
  console.log(
    "| noise | speech level | mixed at | SNR in (words' span) | SNR out | gain | speech | noise | mask, speech frames | mask, noise-only frames |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of rows)
    console.log(
      `| ${r.noise} | ${r.levelDbfs} dBFS | ${r.mixedAt} dB | ${r.snrIn.toFixed(1)} dB | ${r.snrOut.toFixed(1)} dB | ${(r.snrOut - r.snrIn).toFixed(1)} dB | ${r.speechGain.toFixed(1)} dB | ${r.noiseGain.toFixed(1)} dB | ${r.maskSpeech.toFixed(2)} | ${r.maskNoise.toFixed(2)} |`,
    );
}
