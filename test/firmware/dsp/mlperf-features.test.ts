// MLPerf Tiny front ends in firmware (KWS 49 x 10 MFCC, streaming wake word 30 x 40 log-mel)
// against float64 host references of the published recipes, and the two reference models'
// decisions on firmware features against their decisions on the host's features.
import test from "ava";
import path from "node:path";
import { readFileSync } from "node:fs";
import { runDsp, OP, asF32, f32bits } from "../../../emulator/dsp-probe.ts";
import { applyMel, dct2, kwsFeatures, melMatrix, quantize, wwFeatures } from "../../helpers/dsp-reference.ts";
import { testClips } from "../../helpers/audio-clips.ts";
import { runModelSets } from "../../helpers/engine.ts";
import { PROJECT_ROOT } from "../../../emulator/paths.ts";

const MODELS = path.join(PROJECT_ROOT, "..", "shared", "fixtures", "mlcommons-tiny");
const KWS_LABELS = ["down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes", "silence", "unknown"];
const WW_LABELS = ["marvin", "silence", "other"];
const KWS_Q = { scale: 0.5847029089927673, zeroPoint: 83 };
const WW_Q = { scale: 0.003701042616739869, zeroPoint: -128 };
// Tolerances (float32 firmware vs float64 reference): KWS MFCC max |error| <= 0.02 (the int8 step is
// 0.585) and every int8 feature within 1 step; wake-word features max |error| <= 1e-4 of the [0, 1]
// range (step 0.0037), int8 within 1 step.
const KWS_TOL = 0.02, WW_TOL = 1e-4;

const argmax = (v: Int8Array): number => v.reduce((b, x, i) => (x > v[b] ? i : b), 0);

test("mel bank and DCT match tf.signal's linear_to_mel_weight_matrix and mfccs_from_log_mel_spectrograms", async (t) => {
  const spec = Float32Array.from({ length: 257 }, (_, k) => 1 + Math.sin(k * 0.37) ** 2 * 10);
  const logmel = Float32Array.from({ length: 40 }, (_, i) => Math.log(1 + i) - 2 * Math.cos(i));
  const res = await runDsp([
    { op: OP.mel, params: [257, 40, f32bits(20), f32bits(4000), 16000], data: spec },
    { op: OP.mel, params: [257, 23, f32bits(125), f32bits(7500), 16000], data: spec },
    { op: OP.dct, params: [40, 13, 0], data: logmel },
    { op: OP.dct, params: [40, 13, 1], data: logmel },
  ]);
  const rel = (want: ArrayLike<number>, got: ArrayLike<number>): number => Math.max(...Array.from(want, (w, i) => Math.abs(w - got[i]) / Math.max(1, Math.abs(w))));
  t.true(rel(applyMel(spec, melMatrix(40, 257, 16000, 20, 4000)), asF32(res[0].bytes)) < 1e-5);
  t.true(rel(applyMel(spec, melMatrix(23, 257, 16000, 125, 7500)), asF32(res[1].bytes)) < 1e-5);
  t.true(rel(dct2(logmel, 13), asF32(res[2].bytes)) < 1e-5);
  t.true(rel(dct2(logmel, 13, true), asF32(res[3].bytes)) < 1e-5);
  // The bank's DC row is zero: a spectrum with only a DC bin gives nothing.
  const dc = new Float32Array(257); dc[0] = 1000;
  const [z] = await runDsp([{ op: OP.mel, params: [257, 40, f32bits(0), f32bits(8000), 16000], data: dc }]);
  t.deepEqual(Array.from(asF32(z.bytes)), new Array(40).fill(0));
});

test("firmware KWS and wake-word features match the host references; both models decide the same on both", async (t) => {
  const clips = testClips();
  const jobs = clips.flatMap((c) => [{ op: OP.kwsClip, data: c.pcm }, { op: OP.wwClip, data: c.pcm }]);
  const res = await runDsp(jobs);
  const kwsSets: Uint8Array[] = [], wwSets: Uint8Array[] = [];
  const fwKws: Int8Array[] = [], fwWw: Int8Array[] = [];
  let worstKws = 0, worstWw = 0, worstKwsQ = 0, worstWwQ = 0;
  clips.forEach((c, i) => {
    const k = res[2 * i].bytes, w = res[2 * i + 1].bytes;
    const kf = asF32(k.subarray(0, 490 * 4)), kq = new Int8Array(k.buffer, k.byteOffset + 490 * 4, 490);
    const wf = asF32(w.subarray(0, 1200 * 4)), wq = new Int8Array(w.buffer, w.byteOffset + 1200 * 4, 1200);
    const kr = kwsFeatures(c.pcm), wr = wwFeatures(c.pcm);
    const krq = quantize(kr, KWS_Q.scale, KWS_Q.zeroPoint), wrq = quantize(wr, WW_Q.scale, WW_Q.zeroPoint);
    const ek = Math.max(...Array.from(kf, (v, j) => Math.abs(v - kr[j])));
    const ew = Math.max(...Array.from(wf, (v, j) => Math.abs(v - wr[j])));
    const qk = Math.max(...Array.from(kq, (v, j) => Math.abs(v - krq[j])));
    const qw = Math.max(...Array.from(wq, (v, j) => Math.abs(v - wrq[j])));
    worstKws = Math.max(worstKws, ek); worstWw = Math.max(worstWw, ew); worstKwsQ = Math.max(worstKwsQ, qk); worstWwQ = Math.max(worstWwQ, qw);
    t.true(ek <= KWS_TOL, `${c.name}: KWS max error ${ek}`);
    t.true(ew <= WW_TOL, `${c.name}: wake-word max error ${ew}`);
    t.true(qk <= 1 && qw <= 1, `${c.name}: int8 differences ${qk}, ${qw}`);
    kwsSets.push(new Uint8Array(krq.buffer), new Uint8Array(kq.slice().buffer));
    wwSets.push(new Uint8Array(wrq.buffer), new Uint8Array(wq.slice().buffer));
    fwKws.push(kq); fwWw.push(wq);
  });
  t.log(`max |error|: KWS MFCC ${worstKws.toExponential(2)} (int8 ${worstKwsQ}), wake word ${worstWw.toExponential(2)} (int8 ${worstWwQ}); KWS cycles per clip ${res[0].cycles}, wake word ${res[1].cycles} (rt1060)`);

  const kwsModel = new Uint8Array(readFileSync(path.join(MODELS, "kws_ref_model.tflite")));
  const wwModel = new Uint8Array(readFileSync(path.join(MODELS, "str_ww_ref_model.tflite")));
  const kwsRun = await runModelSets(kwsModel, kwsSets);
  const wwRun = await runModelSets(wwModel, wwSets);
  let kwsRight = 0, wwRight = 0;
  clips.forEach((c, i) => {
    const kHost = argmax(new Int8Array(kwsRun.inferences[2 * i].outputs[0].buffer.slice(0)));
    const kFw = argmax(new Int8Array(kwsRun.inferences[2 * i + 1].outputs[0].buffer.slice(0)));
    const wHost = argmax(new Int8Array(wwRun.inferences[2 * i].outputs[0].buffer.slice(0)));
    const wFw = argmax(new Int8Array(wwRun.inferences[2 * i + 1].outputs[0].buffer.slice(0)));
    t.is(kFw, kHost, `${c.name}: KWS firmware says ${KWS_LABELS[kFw]}, host ${KWS_LABELS[kHost]}`);
    t.is(wFw, wHost, `${c.name}: wake word firmware says ${WW_LABELS[wFw]}, host ${WW_LABELS[wHost]}`);
    const kwsWant = COMMANDS.has(c.word) ? c.word : c.word === "silence" ? "silence" : "unknown";
    const wwWant = c.word === "marvin" ? "marvin" : c.word === "silence" ? "silence" : "other";
    if (KWS_LABELS[kFw] === kwsWant) kwsRight++;
    if (WW_LABELS[wFw] === wwWant) wwRight++;
    t.log(`${c.name.padEnd(24)} KWS ${KWS_LABELS[kFw].padEnd(8)} (want ${kwsWant.padEnd(8)})  wake word ${WW_LABELS[wFw].padEnd(7)} (want ${wwWant})`);
  });
  t.log(`correct: KWS ${kwsRight}/${clips.length}, wake word ${wwRight}/${clips.length}`);
  void fwKws; void fwWw;
});

const COMMANDS = new Set(["down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes"]);

test("wake-word features scale by the largest absolute sample: a clip and its negation give the same features", async (t) => {
  // The recipe divides by reduce_max(abs(wav)); the power spectrum ignores the sign, so -x must give
  // x's features. Dividing by the largest signed sample (KWS's rule) scales -x differently.
  const clip = testClips()[0].pcm;
  const negated = Int16Array.from(clip, (v) => Math.max(-32767, Math.min(32767, -v)));
  const clipped = Int16Array.from(clip, (v) => Math.max(-32767, Math.min(32767, v)));
  t.not(
    clipped.reduce((m, v) => Math.max(m, v), -32768),
    negated.reduce((m, v) => Math.max(m, v), -32768),
    "the clip's positive and negative peaks differ, so the rule matters",
  );
  const [a, b] = await runDsp([{ op: OP.wwClip, data: clipped }, { op: OP.wwClip, data: negated }]);
  const fa = asF32(a.bytes.subarray(0, 1200 * 4)), fb = asF32(b.bytes.subarray(0, 1200 * 4));
  const worst = Math.max(...Array.from(fa, (v, i) => Math.abs(v - fb[i])));
  t.true(worst <= 1e-5, `max |difference| ${worst}`);
  const ra = wwFeatures(clipped), rb = wwFeatures(negated);
  t.true(Math.max(...Array.from(ra, (v, i) => Math.abs(v - rb[i]))) <= 1e-9, "the host reference too");
});
