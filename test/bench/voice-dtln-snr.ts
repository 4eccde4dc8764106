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
import { readModel } from "../../emulator/model/tflite-model.ts";
import { readWav } from "../../emulator/inputs/wav.ts";
import { activeSpeech, meanPower } from "../../emulator/inputs/room/active-speech.ts";
import { babbleNoise, fanNoise } from "../../emulator/inputs/room/noise.ts";
import { rngFor } from "../../emulator/inputs/room/prng.ts";
import { fftInPlace, rfft } from "../helpers/dsp-reference.ts";
import { ROOT } from "./util.ts";

const FRAME = 512,
  HOP = 128,
  BINS = 257,
  RATE = 16000;
const MODEL = path.join(ROOT, "apps/voice-control/model/dtln_noise_suppression.tflite");
type Quant = { scale: number; zero: number };
/** The model's input and output quantisation, as the firmware reads them. */
function quantisation(model: Uint8Array): { input: Quant; output: Quant } {
  const m = readModel(model, "dtln");
  const q = (t: number) => {
    const z = m.tensors[t].quantization!;
    return { scale: z.scale[0], zero: z.zeroPoint[0] };
  };
  return { input: q(m.inputs[0]), output: q(m.outputs[0]) };
}

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

/** Per frame (hop h: samples up to (h + 1) HOP), the model's input bytes from the mixture. */
function magnitudeFrames(x: Float64Array, { scale, zero }: Quant): Uint8Array[] {
  const frames: Uint8Array[] = [];
  const buf = new Float64Array(FRAME);
  for (let h = 0; (h + 1) * HOP <= x.length; h++) {
    buf.copyWithin(0, HOP);
    buf.set(x.subarray(h * HOP, (h + 1) * HOP), FRAME - HOP);
    const { re, im } = rfft(buf);
    const q = new Int8Array(BINS);
    for (let k = 0; k < BINS; k++)
      q[k] = Math.max(-128, Math.min(127, Math.round(Math.hypot(re[k], im[k]) / scale) + zero));
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
    const re = Float64Array.from({ length: FRAME }, (_, i) => (start + i >= 0 ? x[start + i] : 0));
    const im = new Float64Array(FRAME);
    fftInPlace(re, im);
    // The gain of bin k on it and on its mirror N - k keeps the signal real.
    for (let k = 0; k < FRAME; k++) {
      const gk = g[k < BINS ? k : FRAME - k];
      re[k] *= gk;
      im[k] *= gk;
    }
    fftInPlace(re, im, 1);
    for (let i = Math.max(0, -start); i < FRAME; i++)
      y[start + i] += (0.5 * hann[i] * re[i]) / FRAME;
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
  const quant = quantisation(model);
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
      meanPower(s0.subarray(Math.max(0, mid - 256), mid + 256)) > act.power / 10
    );
  });
  const rows: DtlnSnrRow[] = [];
  for (const [name, noise0] of Object.entries(noises).filter(([k]) => only.includes(k)))
    for (const level of levels)
      for (const snr of snrs) {
        const gs = Math.sqrt(10 ** (level / 10) / act.power);
        const s = s0.map((v) => v * gs);
        const gn = Math.sqrt((act.power * gs * gs) / 10 ** (snr / 10) / meanPower(noise0));
        const v = noise0.map((x) => x * gn);
        const mix = s.map((x, i) => x + v[i]);
        const run = await runModel(model, magnitudeFrames(mix, quant.input), target);
        const masks = run.inferences.map((r) =>
          Float64Array.from(
            new Int8Array(r.outputs[0].buffer, r.outputs[0].byteOffset, BINS),
            (q) => (q - quant.output.zero) * quant.output.scale,
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
        const seg = (x: Float64Array) => meanPower(x.subarray(act.start + FRAME, act.end));
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
