// Active speaker detection for a meeting-room camera: grey QVGA frames at 15 fps and
// microphone 0 at 16 kHz on one timeline. Per frame: each fixed seat's mouth crop into its
// 8-frame history (mouth.ts), the shared log-mel history (audio.ts), the two-branch int8
// model per face (fused, video and audio logits), smoothing, a console line with every
// face's probability and the active speaker, LED 0 while someone speaks, and the active
// speaker's box in /ASD/LOGnnnn.CSV.
import * as camera from "../../hal/camera";
import * as clock from "../../hal/clock";
import * as console from "../../hal/console";
import * as gpio from "../../hal/gpio";
import * as system from "../../hal/system";
import { BOARD_ID } from "../../firmware/board";
import { Interpreter } from "../../firmware/tflite/interpreter";
import { TextBuffer } from "../../firmware/text";
import { MouthHistory, HISTORY } from "./mouth";
import { AudioFeatures, HOPS } from "./audio";
import { SEATS, SEAT_NAMES, SEAT_BOX } from "./seats";
import { SpeakerLog } from "./speaker-log";

const FRAME_W: u32 = 320;
const FRAME_H: u32 = 240;
const FPS: u32 = 15;
const SMOOTH: f32 = 0.5; // weight of the newest probability
const ON: f32 = 0.5;

const framebuf = memory.data(<i32>(FRAME_W * FRAME_H), 16);
const line = new TextBuffer(256);

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
  const mouths = new StaticArray<MouthHistory>(SEATS);
  for (let s = 0; s < SEATS; s++) mouths[s] = new MouthHistory();
  const smooth = new StaticArray<f32>(SEATS);
  const features = new AudioFeatures();
  const log = new SpeakerLog();
  const problem = log.open();

  line.str("active-speaker on ").str(BOARD_ID).str(" (").uint(clock.coreHz() / 1000000).str(" MHz): ").int(SEATS).str(" seats, camera ")
    .uint(FRAME_W).byte(0x78).uint(FRAME_H).str(" grey8 at ").uint(FPS).str(" fps, microphone 0 ").str(features.pdm ? "PDM bits decimated here" : "PCM")
    .str(", model arena ").int(engine.arenaBytes).str(" B, ").int(engine.onNpu.length).str(" layers");
  say();
  if (problem.length > 0) { line.str("active-speaker: sd card: ").str(problem).str("; running without a log"); say(); }
  else { line.str("logging the active speaker to ").str(log.name); say(); }

  const r = camera.configure(FRAME_W, FRAME_H, camera.FORMAT_GREY8, FPS, framebuf);
  if (r < 0) return stop("camera.configure failed (" + r.toString() + ")");
  const m = features.start();
  if (m != 0) return stop("microphone configure failed (" + m.toString() + ")");
  camera.start();
  clock.watchdogStart(2000);

  const t0 = clock.nowUs();
  let nextStatus = t0 + 1000000;
  let steps: u32 = 0, busy: u64 = 0, worstFace: u64 = 0, faceRuns: u64 = 0, faceCycles: u64 = 0;
  let speaking = false;
  for (;;) {
    const lines = clock.waitEvent(clock.EVENT_CAMERA | clock.EVENT_MIC, nextStatus);
    clock.watchdogFeed();
    const c0 = clock.cycles();
    if (lines & clock.EVENT_MIC) while (features.poll()) {}
    if (lines & clock.EVENT_CAMERA) {
      const seq = camera.takeFrame();
      if (seq >= 0) {
        for (let s = 0; s < SEATS; s++) {
          mouths[s].push(framebuf, <i32>FRAME_W, <i32>FRAME_H, SEAT_BOX[4 * s], SEAT_BOX[4 * s + 1], SEAT_BOX[4 * s + 2], SEAT_BOX[4 * s + 3]);
        }
        camera.releaseFrame();
        if (mouths[0].frames >= HISTORY && features.hops >= HOPS) {
          const tMs = (clock.nowUs() - t0) / 1000;
          features.quantizeInto(ain.data, ain.scale, ain.zeroPoint);
          line.str("[").fixed(<i64>tMs, 3).str(" s]");
          let best = -1;
          let bestP: f32 = 0;
          for (let s = 0; s < SEATS; s++) {
            const f0 = clock.cycles();
            mouths[s].quantizeInto(vin.data, vin.scale, vin.zeroPoint);
            engine.invoke();
            const used = clock.cycles() - f0;
            faceCycles += used; faceRuns++;
            if (used > worstFace) worstFace = used;
            const p: f32 = 1.0 / (1.0 + Mathf.exp(-logit(fused.data, fused.scale, fused.zeroPoint)));
            const pv: f32 = 1.0 / (1.0 + Mathf.exp(-logit(video.data, video.scale, video.zeroPoint)));
            const pa: f32 = 1.0 / (1.0 + Mathf.exp(-logit(audio.data, audio.scale, audio.zeroPoint)));
            smooth[s] = steps == 0 ? p : SMOOTH * p + (<f32>1 - SMOOTH) * smooth[s];
            line.str(" ").str(SEAT_NAMES[s]).str(" ").fixed(<i64>Mathf.round(smooth[s] * 100), 2)
              .str(" (v ").fixed(<i64>Mathf.round(pv * 100), 2).str(" a ").fixed(<i64>Mathf.round(pa * 100), 2).str(")");
            if (smooth[s] >= ON && smooth[s] > bestP) { best = s; bestP = smooth[s]; }
          }
          line.str(" | ").str(best >= 0 ? SEAT_NAMES[best] + " speaks" : "nobody speaks");
          say();
          if ((best >= 0) != speaking) { speaking = best >= 0; gpio.setLed(0, speaking); }
          if (best >= 0) {
            const bx = SEAT_BOX[4 * best], by = SEAT_BOX[4 * best + 1], bw = SEAT_BOX[4 * best + 2], bh = SEAT_BOX[4 * best + 3];
            log.speaker(tMs, SEAT_NAMES[best], <u32>Mathf.round(bestP * 100), <i32>((bx - bw) * <f64>FRAME_W), <i32>((by - bh) * <f64>FRAME_H), <i32>(2 * bw * <f64>FRAME_W), <i32>(2 * bh * <f64>FRAME_H));
          }
          steps++;
        }
      }
    }
    busy += clock.cycles() - c0;
    const now = clock.nowUs();
    if (now >= nextStatus) {
      const hz = <u64>clock.coreHz();
      line.str("[").fixed(<i64>((now - t0) / 1000), 3).str(" s] ").uint(steps).str(" steps, CPU load ").fixed(<i64>(busy * 10000 / hz), 2)
        .str(" %, per face ").fixed(<i64>(faceRuns > 0 ? faceCycles * 1000000 / hz / faceRuns : 0), 3).str(" ms (worst ").fixed(<i64>(worstFace * 1000000 / hz), 3)
        .str(" ms), dropped frames ").uint(camera.dropped()).str(", log rows ").uint(log.rows);
      say();
      log.flush(true);
      busy = 0;
      nextStatus += 1000000;
    }
  }
}
