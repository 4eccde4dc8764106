// The host model of what the firmware's wake-word verifier scores (apps/voice-control/eval/
// firmware-window.ts, used by the threshold evaluation and the verifier's training data): the
// app on rt1060 hears a far-field scene with a /VOICE/CAPTURE folder on its card, so each wake
// word leaves the audio the models heard (the beam after the AGC, int16, as the history holds
// it); the host's verifier score on the window firmware-window.ts picks in that audio must be
// the score the firmware printed (its newest window's; the decision averages the last three). The window matters: shifted by 32-480 samples the same
// verifier's score moves by up to 0.5 (README "Wake-word verifier"). The host's model of the
// front end (eval/host-frontend.ts, which the verifier's training data goes through) must give
// the same audio and the same score.
import test from "ava";
import path from "node:path";
import { readFileSync } from "node:fs";
import { loadTarget } from "../../emulator/board.ts";
import { Machine } from "../../emulator/machine.ts";
import { ensureCard } from "../../emulator/state.ts";
import { readWav } from "../../emulator/inputs/wav.ts";
import { appMicArray, loadApp } from "../../emulator/toolchain/app.ts";
import { firmwareVerifierInput } from "../../apps/voice-control/eval/firmware-window.ts";
import { renderFrontEnd } from "../../apps/voice-control/eval/host-frontend.ts";
import { loadReference } from "../helpers/tflite-reference.ts";
import { kwsFeatures, quantize } from "../helpers/dsp-reference.ts";
import { KWS_INPUT } from "../../apps/voice-control/train/train.ts";
import { buildApp } from "../../emulator/toolchain/build.ts";
import { hasTool, sh, tempDir } from "../helpers/tools.ts";

const APP = "apps/voice-control";
const RATE = 16000;
const tools = hasTool("mcopy") && hasTool("mmd");

(tools ? test : test.skip)(
  "rt1060: the verifier's score on the host's model of its window is the score the firmware printed",
  async (t) => {
    const dir = tempDir("tinyboard-voice-window-");
    const card = path.join(dir, "card.img");
    ensureCard(card);
    sh("mmd", ["-i", card, "::/VOICE", "::/VOICE/CAPTURE"]);
    // Without the microphone calibration (MIC_CALIBRATION, on in the app): with it, the firmware
    // printed 0.94 on this wake word and the host's front end (calibration modelled) gave 0.99,
    // against 0.98 / 0.988 without it; that gap is not explained yet (apps/voice-control/README.md).
    const { image } = await buildApp(APP, loadTarget("rt1060"), {
      appOptions: { MIC_CALIBRATION: false },
    });
    const machine = new Machine({
      target: loadTarget("rt1060"),
      image,
      sdcard: card,
      inputs: { mic: path.resolve(APP, "scenes/far-1m.json") },
      micArray: appMicArray(loadApp(APP), "rt1060") ?? null,
    });
    let text = "";
    machine.events.on("console", (s) => (text += s));
    await machine.run({ seconds: 5 });
    // The capture's sample 16,000 is the firmware's sample count at the detection (capture.ts).
    const wake = /\[([\d.]+) s\] wake marvin (\d+)%[^\n]*\n(?:[^\n]*\n)*?[^\n]*captured (\S+)/.exec(
      text,
    );
    t.truthy(wake, text);
    const count = Math.round(Number(wake![1]) * RATE);
    const printed = Number(wake![2]) / 100;
    const wav = path.join(dir, "wake.wav");
    t.is(sh("mcopy", ["-o", "-i", card, `::${wake![3]}`, wav]).status, 0);
    const pcm = Int16Array.from(readWav(wav).channels[0], (v) => Math.round(v * 32768));
    const model = await loadReference(
      new Uint8Array(readFileSync(path.resolve(APP, "model/wake_verifier_int8.tflite"))),
    );
    const scoreOf = (x: Int16Array, end: number) =>
      ((model.run([firmwareVerifierInput(x, end)])[0] as Int8Array)[0] + 128) / 256;
    const score = (end: number) => scoreOf(pcm, end);
    // The newest KWS frame ends at the last multiple of 320 at or before the count.
    const host = score(RATE - (count % 320));
    // The evaluation before: the second ending at the detection, framed from its start.
    const second = quantize(kwsFeatures(pcm.slice(0, RATE)), KWS_INPUT.scale, KWS_INPUT.zeroPoint);
    const before = ((model.run([second])[0] as Int8Array)[0] + 128) / 256;
    t.log(`firmware ${printed}, host ${host.toFixed(3)}, the second before ${before.toFixed(3)}`);
    // Within 2 points (5 output steps: the firmware computes its features in float32, the host
    // in float64); the second before the detection, the host's window until now, is 3 off here.
    t.true(Math.abs(host - printed) <= 0.02, `firmware ${printed}, host ${host}`);
    // The verifier is trained on the host's model of the front end (eval/host-frontend.ts): the
    // same scene through it must be the audio the firmware captured (up to the PDM decimator's
    // delay, a few samples) and give the verifier the score the firmware printed.
    const scene = path.resolve(APP, "scenes/far-1m.json");
    const talker = JSON.parse(readFileSync(scene, "utf8")).talkers[0];
    const fe = renderFrontEnd(scene, [{ at: 0, azDeg: talker.az }], { calibrate: false });
    const from = count - RATE; // the capture's first sample in the firmware's count
    const corr = (lag: number) => {
      let xy = 0,
        xx = 0,
        yy = 0;
      for (let i = 0; i < pcm.length; i++) {
        const y = fe[from + i - lag] ?? 0;
        xy += pcm[i] * y;
        xx += pcm[i] ** 2;
        yy += y * y;
      }
      return xy / Math.sqrt(xx * yy || 1);
    };
    let lag = 0;
    for (let l = -64; l <= 64; l++) if (corr(l) > corr(lag)) lag = l;
    const feScore = scoreOf(fe, from - lag + RATE - (count % 320));
    t.log(
      `host front end: correlation ${corr(lag).toFixed(3)} at ${lag} samples, verifier ${feScore.toFixed(3)}`,
    );
    t.true(corr(lag) >= 0.95, `correlation ${corr(lag)} at lag ${lag}`);
    t.true(Math.abs(feScore - printed) <= 0.03, `firmware ${printed}, host front end ${feScore}`);
    model.dispose();
  },
);
