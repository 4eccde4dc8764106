// Active speaker detection for a meeting-room camera: grey QVGA frames at 15 fps and every
// microphone at 16 kHz on one timeline. Per frame: the faces (the int8 face detector and
// the tracker by default; with the option FACE_DETECTOR=false the fixed seats of seats.txt),
// each face's mouth crop into its 8-frame history (mouth.ts), the shared log-mel history
// (audio.ts), the two-branch int8 model per face (fused, video and audio logits), the direction
// cue per face from the microphone array (direction.ts) fused with the model's fused logit by
// the weights of the fusion partition (fusion.ts), smoothing,
// a console line with every face's probability and the active speaker, LED 0 while someone
// speaks, the active speaker's box in /ASD/LOGnnnn.CSV, and with /ASD/CAPTURE on the card
// crop sequences and audio for datasets (capture.ts); each step's faces in full precision
// through debug.report for host tools (face-record.ts).
import * as camera from "../../hal/camera";
import * as clock from "../../hal/clock";
import * as console from "../../hal/console";
import * as gpio from "../../hal/gpio";
import * as mic from "../../hal/mic";
import * as system from "../../hal/system";
import { BOARD_ID } from "../../firmware/board";
import { FACE_DETECTOR, FACE_REFINER } from "../../firmware/app-options";
import { Interpreter } from "../../firmware/tflite/interpreter";
import { TextBuffer } from "../../firmware/text";
import { MouthHistory, HISTORY } from "./mouth";
import { AudioFeatures, HOPS } from "./audio";
import { Seats } from "./seats";
import { FaceDetector } from "./face-detector";
import { FaceRefiner } from "./face-refiner";
import { Tracker, MAX_TRACKS } from "./tracker";
import { Faces } from "./faces";
import { SpeakerLog } from "./speaker-log";
import { Capture } from "./capture";
import { DirectionCue, relativeCues } from "./direction";
import { Fusion } from "./fusion";
import { FrameBudget, BUDGET_PCT } from "./frame-budget";
import { FaceRecord } from "./face-record";

const FRAME_W: u32 = 320;
const FRAME_H: u32 = 240;
const FPS: u32 = 15;
const SMOOTH: f32 = 0.5; // weight of the newest probability
const ON: f32 = 0.5;

const framebuf = memory.data(<i32>(FRAME_W * FRAME_H), 16);
const line = new TextBuffer(320);

function say(): void {
  line.byte(0x0a);
  console.writeBytes(line.base, line.length);
  line.clear();
}

function stop(why: string): void {
  line.clear();
  line.str("active-speaker: ").str(why);
  say();
  system.exit(2);
}

function logit(t: usize, scale: f32, zp: i32): f32 {
  return <f32>(<i32>load<i8>(t) - zp) * scale;
}

export function main(): void {
  const engine = Interpreter.fromPartition("model");
  if (!engine.ok) return stop("model: " + engine.error);
  const vin = engine.input(0), ain = engine.input(1);
  if (vin.elements != 16 * 24 * HISTORY || ain.elements != HOPS * 32) return stop("the model must take video [16, 24, 8] and audio [24, 1, 32]");
  const fused = engine.output(0), video = engine.output(1), audio = engine.output(2);
  let detector: FaceDetector | null = null;
  let refiner: FaceRefiner | null = null;
  let seats: Seats | null = null;
  if (FACE_DETECTOR) {
    const d = new FaceDetector("facedet", <i32>FRAME_W, <i32>FRAME_H);
    if (!d.ok) return stop("face detector: " + d.error);
    detector = d;
    if (FACE_REFINER) {
      const f = new FaceRefiner("refiner");
      if (!f.ok) return stop("face refiner: " + f.error);
      refiner = f;
    }
  } else {
    const s = new Seats("seats");
    if (s.error.length > 0) return stop(s.error);
    seats = s;
  }
  const faces = new Faces(<i32>FRAME_W, <i32>FRAME_H);
  const tracker = new Tracker();
  const mouths = new StaticArray<MouthHistory>(MAX_TRACKS);
  for (let s = 0; s < MAX_TRACKS; s++) mouths[s] = new MouthHistory();
  const smooth = new StaticArray<f32>(MAX_TRACKS);
  const scoredBefore = new StaticArray<bool>(MAX_TRACKS); // smoothing starts at a face's first score
  const features = new AudioFeatures();
  const direction = new DirectionCue(features.channels);
  const fusion = new Fusion("fusion", features.channels);
  if (fusion.error.length > 0) return stop(fusion.error);
  const withCue = direction.srp != null && fusion.found;
  const logitF = new StaticArray<f32>(MAX_TRACKS), probV = new StaticArray<f32>(MAX_TRACKS), logitA = new StaticArray<f32>(MAX_TRACKS);
  const cue = new StaticArray<f32>(MAX_TRACKS), relCue = new StaticArray<f32>(MAX_TRACKS);
  const scoredNow = new StaticArray<bool>(MAX_TRACKS);
  const log = new SpeakerLog();
  const problem = log.open();
  const capture = new Capture();
  const record = new FaceRecord();
  if (problem.length == 0) capture.open();

  line.str("active-speaker on ").str(BOARD_ID).str(" (").uint(clock.coreHz() / 1000000).str(" MHz): ");
  if (detector) line.str("face detector (arena ").int(detector.engine.arenaBytes).str(" B, ").int(detector.engine.layerCount).str(" layers), up to ").int(MAX_TRACKS).str(" faces");
  else line.int(seats!.count).str(" seats");
  if (refiner) line.str(", box refiner (arena ").int(refiner.engine.arenaBytes).str(" B, ").int(refiner.engine.layerCount).str(" layers)");
  line.str(", camera ").uint(FRAME_W).byte(0x78).uint(FRAME_H).str(" grey8 at ").uint(FPS).str(" fps, ").int(features.channels).str(features.channels == 1 ? " microphone " : " microphones ").str(features.pdm ? "PDM bits decimated here" : "PCM")
    .str(withCue ? ", direction cue fused" : ", no direction cue")
    .str(", model arena ").int(engine.arenaBytes).str(" B, ").int(engine.layerCount).str(" layers");
  say();
  if (problem.length > 0) { line.str("active-speaker: sd card: ").str(problem).str("; running without a log"); say(); }
  else { line.str("logging the active speaker to ").str(log.name); say(); }
  if (capture.enabled) { line.str("capturing face crops and audio to /ASD/CAPTURE"); say(); }

  const r = camera.configure(FRAME_W, FRAME_H, camera.FORMAT_GREY8, FPS, framebuf);
  if (r < 0) return stop("camera.configure failed (" + r.toString() + ")");
  const m = features.start();
  if (m != 0) return stop("microphone configure failed (" + m.toString() + ")");
  camera.start();
  clock.watchdogStart(2000);

  const budget = new FrameBudget(<u64>clock.coreHz(), FPS);
  // One face's model cycles measured once while the first frame is exposed (the input is still
  // zero; the output is overwritten by the first real step), so that the frame budget can choose
  // its level before the first step scores every face at once.
  let perFaceAtStart: u64 = 0;
  if (FACE_DETECTOR) {
    const cal0 = clock.cycles();
    engine.invoke();
    perFaceAtStart = clock.cycles() - cal0;
  }
  let periodBusy: u64 = 0; // busy cycles since the last camera frame's work ended
  let frameDone = false;
  let periodDetect: u64 = 0, periodModel: u64 = 0; // of periodBusy, the detector's and the model's

  const t0 = clock.nowUs();
  let nextStatus = t0 + 1000000;
  let steps: u32 = 0, busy: u64 = 0, cueCycles: u64 = 0, worstFace: u64 = 0, faceRuns: u64 = 0, faceCycles: u64 = 0, detectRuns: u64 = 0, detectCycles: u64 = 0, refineRuns: u64 = 0, refineCycles: u64 = 0;
  let speaking = false;
  for (;;) {
    const lines = clock.waitEvent(clock.EVENT_CAMERA | clock.EVENT_MIC, nextStatus);
    clock.watchdogFeed();
    const c0 = clock.cycles();
    if (lines & clock.EVENT_MIC) while (features.poll()) {
      const k0 = clock.cycles();
      if (withCue) direction.hop(features.spectra, features.energy, faces);
      cueCycles += clock.cycles() - k0;
      capture.audioHop(features.newest(), features.hopSamples);
    }
    if (lines & clock.EVENT_CAMERA) {
      const seq = camera.takeFrame();
      if (seq >= 0) {
        if (detector && budget.detectThisFrame()) {
          const d0 = clock.cycles();
          const n = detector.detect(framebuf);
          const dc = clock.cycles() - d0;
          detectCycles += dc; detectRuns++; periodDetect += dc;
          tracker.update(detector.cx, detector.cy, detector.hw, n);
          // At full rate the refiner follows the detector, once the budget has measured a window
          // (a slow core degrades first); degraded, it only places new tracks, on the frame after
          // the detector's (budget.refineThisFrame), and the others hold their boxes.
          if (refiner && budget.level == 0 && budget.settled()) {
            const runs0 = refiner.runs, rc = refineTracks(refiner, tracker, false);
            refineCycles += rc; refineRuns += refiner.runs - runs0; periodDetect += rc;
          }
          faces.fromTracks(tracker, refiner);
          // Degraded: the hops that arrived during the detector, before the faces' scores.
          if (budget.level > 0) cueCycles += takeHops(features, direction, withCue, faces, capture);
        } else if (detector) { // tracks held: no face is fresh
          if (refiner && budget.refineThisFrame()) {
            cueCycles += takeHops(features, direction, withCue, faces, capture); // the hops so far, as after the detector
            const runs0 = refiner.runs, rc = refineTracks(refiner, tracker, true);
            refineCycles += rc; refineRuns += refiner.runs - runs0; periodDetect += rc;
          }
          faces.fromTracks(tracker, refiner);
        }
        else faces.fromSeats(seats!);
        for (let s = 0; s < MAX_TRACKS; s++) {
          if (!faces.live[s]) continue;
          if (faces.fresh[s]) { mouths[s].reset(); scoredBefore[s] = false; direction.reset(s); }
          mouths[s].push(framebuf, <i32>FRAME_W, <i32>FRAME_H, faces.cx[s], faces.cy[s], faces.hw[s], faces.hh[s]);
        }
        camera.releaseFrame();
        if (features.hops >= HOPS) {
          const tMs = (clock.nowUs() - t0) / 1000;
          features.quantizeInto(ain.data, ain.scale, ain.zeroPoint);
          line.str("[").fixed(<i64>tMs, 3).str(" s]");
          record.begin(tMs);
          let best = -1, scored = 0;
          let bestP: f32 = 0;
          for (let s = 0; s < MAX_TRACKS; s++) {
            scoredNow[s] = faces.live[s] && faces.shown[s] && mouths[s].frames >= HISTORY;
            if (!scoredNow[s]) continue;
            if (!FACE_DETECTOR || !scoredBefore[s] || budget.scoreFace(s)) { // degraded level 3: else its last logits stand
              const f0 = clock.cycles();
              mouths[s].quantizeInto(vin.data, vin.scale, vin.zeroPoint);
              engine.invoke();
              const used = clock.cycles() - f0;
              faceCycles += used; faceRuns++; periodModel += used;
              if (used > worstFace) worstFace = used;
              logitF[s] = logit(fused.data, fused.scale, fused.zeroPoint);
              probV[s] = 1.0 / (1.0 + Mathf.exp(-logit(video.data, video.scale, video.zeroPoint)));
              logitA[s] = logit(audio.data, audio.scale, audio.zeroPoint);
            }
            if (withCue) cue[s] = direction.cue(s);
          }
          if (withCue) relativeCues(cue, scoredNow, relCue);
          for (let s = 0; s < MAX_TRACKS; s++) {
            if (!scoredNow[s]) continue;
            const z = withCue ? fusion.apply(logitF[s], relCue[s], logitA[s]) : logitF[s];
            const p: f32 = 1.0 / (1.0 + Mathf.exp(-z));
            const pa: f32 = 1.0 / (1.0 + Mathf.exp(-logitA[s]));
            smooth[s] = scoredBefore[s] ? SMOOTH * p + (<f32>1 - SMOOTH) * smooth[s] : p;
            scoredBefore[s] = true;
            record.add(faces.id[s], p, smooth[s], <f32>(faces.cx[s] * <f64>FRAME_W), <f32>(faces.cy[s] * <f64>FRAME_H), <f32>(faces.hw[s] * <f64>FRAME_W), logitF[s], withCue ? relCue[s] : 0, logitA[s]);
            line.str(" ").str(faces.name(s)).byte(0x40).int(faces.px(s)).byte(0x2c).int(faces.py(s)).str(" ").fixed(<i64>Mathf.round(smooth[s] * 100), 2)
              .str(" (v ").fixed(<i64>Mathf.round(probV[s] * 100), 2).str(" a ").fixed(<i64>Mathf.round(pa * 100), 2);
            if (withCue) line.str(" c ").fixed(<i64>Mathf.round(relCue[s] * 100), 2);
            line.str(")");
            if (smooth[s] >= ON && smooth[s] > bestP) { best = s; bestP = smooth[s]; }
            capture.face(s, faces.id[s], mouths[s].raw, faces.left(s), faces.top(s), faces.width(s), faces.height(s), smooth[s]);
            scored++;
          }
          record.send();
          if (scored == 0) line.str(" no faces");
          line.str(" | ").str(best >= 0 ? faces.name(best) + " speaks" : "nobody speaks");
          say();
          if ((best >= 0) != speaking) { speaking = best >= 0; gpio.setLed(0, speaking); }
          if (best >= 0) log.speaker(tMs, faces.name(best), <u32>Mathf.round(bestP * 100), faces.left(best), faces.top(best), faces.width(best), faces.height(best));
          steps++;
        }
        const w = capture.endFrame();
        if (w < 0) { line.str("active-speaker: capture write failed (").int(w).str("); capture stops"); say(); capture.enabled = false; }
        frameDone = true;
      }
    }
    // The seats build keeps the plain accounting: without a detector there is nothing to shed.
    if (!FACE_DETECTOR) busy += clock.cycles() - c0;
    else {
      const used = clock.cycles() - c0;
      busy += used;
      periodBusy += used;
      if (frameDone) {
        // A detector frame's cost includes the refiner's passes over its tracks.
        const detectorAvg = detectRuns > 0 ? (detectCycles + refineCycles) / detectRuns : 0;
        const perFace = faceRuns > 0 ? faceCycles / faceRuns : perFaceAtStart;
        if (budget.endFrame(periodBusy, periodDetect, periodModel, detectorAvg, perFace, faces.count)) {
          const hz = <u64>clock.coreHz();
          line.str("active-speaker: frames predicted ").fixed(<i64>budget.lastLoad, 2).str(" % busy (over ").uint(<u32>BUDGET_PCT).str(" % of ")
            .fixed(<i64>(budget.periodCycles * 1000000 / hz), 3).str(" ms): degraded to level ").int(budget.level).str(", ").str(budget.describe());
          say();
        }
        periodBusy = 0; periodDetect = 0; periodModel = 0;
        frameDone = false;
      }
    }
    const now = clock.nowUs();
    if (now >= nextStatus) {
      const hz = <u64>clock.coreHz();
      line.str("[").fixed(<i64>((now - t0) / 1000), 3).str(" s] ").uint(steps).str(" steps, CPU load ").fixed(<i64>(busy * 10000 / hz), 2)
        .str(" %, per face ").fixed(<i64>(faceRuns > 0 ? faceCycles * 1000000 / hz / faceRuns : 0), 3).str(" ms (worst ").fixed(<i64>(worstFace * 1000000 / hz), 3)
        .str(" ms), dropped frames ").uint(camera.dropped());
      const lost = mic.overruns();
      if (lost > 0) line.str(", microphone buffers lost ").uint(lost);
      line.str(", log rows ").uint(log.rows);
      if (detector) line.str(", detector ").fixed(<i64>(detectRuns > 0 ? detectCycles * 1000000 / hz / detectRuns : 0), 3).str(" ms, faces ").int(faces.count).str(" (tracks started ").uint(tracker.started).str(", lost ").uint(tracker.dropped).str(")");
      if (refiner) line.str(", refiner ").fixed(<i64>(refineRuns > 0 ? refineCycles * 1000000 / hz / refineRuns : 0), 3).str(" ms per pass");
      if (withCue) line.str(", direction cue ").fixed(<i64>(cueCycles * 10000 / hz), 2).str(" %");
      if (capture.enabled) line.str(", capture clips ").uint(capture.clips);
      if (FACE_DETECTOR && budget.level > 0) line.str(", degraded level ").int(budget.level).str(": ").str(budget.describe());
      say();
      cueCycles = 0;
      log.flush(true);
      busy = 0;
      nextStatus += 1000000;
    }
  }
}

/** The refiner over the tracks on the current frame; returns its cycles. */
function refineTracks(refiner: FaceRefiner, tracker: Tracker, onlyNew: bool): u64 {
  const r0 = clock.cycles();
  refiner.update(tracker, framebuf, <i32>FRAME_W, <i32>FRAME_H, onlyNew);
  return clock.cycles() - r0;
}

/** Every microphone buffer that is ready: its hop's features, the direction cue's hop and the
 * capture's audio. Returns the cue's cycles. */
function takeHops(features: AudioFeatures, direction: DirectionCue, withCue: bool, faces: Faces, capture: Capture): u64 {
  let cycles: u64 = 0;
  while (features.poll()) {
    const k0 = clock.cycles();
    if (withCue) direction.hop(features.spectra, features.energy, faces);
    cycles += clock.cycles() - k0;
    capture.audioHop(features.newest(), features.hopSamples);
  }
  return cycles;
}
