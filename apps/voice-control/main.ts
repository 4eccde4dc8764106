// Far-field voice control: the microphone array in 10 ms frames (DMA buffers of 40 ms) through the front end
// (frontend.ts: PDM decimation on RT1060, GCC-PHAT direction of arrival, delay-and-sum beam,
// AGC), the wake word "marvin" (wake.ts, MLPerf streaming wake-word model every 32 ms), then
// within LISTEN_MS a command (command.ts, MLPerf KWS model, ten words) that drives the LEDs
// (actions.ts). With a partition named "led" in app.json instead of "kws", the commands are the
// app's own LED-control set (train/); with one named "dtln", TFLM's DTLN model suppresses noise
// on the beam (dtln.ts) where the core has the time for it. Every detection is a console line and a row in /VOICE/LOGnnnn.CSV.
import * as clock from "../../hal/clock";
import * as console from "../../hal/console";
import * as mic from "../../hal/mic";
import * as system from "../../hal/system";
import { partitionBase, partitionSize } from "../../firmware/partitions";
import { Interpreter } from "../../firmware/tflite/interpreter";
import { MS_BINS, MS_HOP } from "../../firmware/dsp/masked-stft";
import { TextBuffer } from "../../firmware/text";
import { FrontEnd, RATE, MAX_MICS, FRAMES_PER_BUFFER, BLOCK } from "./frontend";
import { WakeWord, HOP_SAMPLES, CANDIDATE_THRESHOLD } from "./wake";
import { Verifier, VERIFIER_PARTITION } from "./verifier";
import { Command, LED_PARTITION, LED_WORDS, LED_COMMANDS, THRESHOLD as COMMAND_THRESHOLD, GATED_THRESHOLD, SCORE_EVERY, STEP_SAMPLES } from "./command";
import { ClosedSet } from "./command-decision";
import { Actions } from "./actions";
import { WAKE_VERIFIER, REBEAM_LOAD_PCT, COMMAND_FROM_WAKE_DEG, COMMAND_DOA_CONFIDENCE_PCT, COMMAND_TRACE, COMMAND_CLOSED_SET, COMMAND_TWO_IN_A_ROW } from "../../firmware/app-options";
import { angleApart } from "../../firmware/dsp/steer-hold";
import { CardLog } from "./card-log";
import { Capture } from "./capture";
import { Dtln, DTLN_PARTITION } from "./dtln";

const LISTEN_MS: u64 = 3000;
// After the wake word the first command scoring waits this long: earlier, the command model's
// 1 s window still holds most of "marvin", and its end plus a command's onset was read as a
// command (the LED set's "cycle slow"). A command said right after "marvin" is still whole in
// the window later (it stays there for 1 s from its start).
const FIRST_SCORE_STEPS: i32 = 35; // feature steps of 20 ms: 700 ms
const STATS_EVERY: u64 = 500; // blocks: a load line every 5 s
// The command gate: with COMMAND_FROM_WAKE_DEG > 0 and the wake word's direction confident
// (doa.ts confidence >= COMMAND_DOA_CONFIDENCE_PCT), a command scoring counts only while the beam
// is steered within that many degrees of the wake word's direction, at GATED_THRESHOLD (lower:
// the gate drops the babble words a lower threshold lets in). Between the two words the beam
// follows babble talkers, whose words were taken as commands. Without a confident direction (a
// mono file played to the array: close talk, a capture replayed; its DOA wanders) the scoring is
// the ungated rule at COMMAND_THRESHOLD (command.ts; MEASUREMENTS.md "Wake latency with the re-beam, and commands after the wake word").

const line = new TextBuffer(200);

function say(): void {
  line.byte(0x0a);
  console.writeBytes(line.base, line.length);
  line.clear();
}

function model(name: string, inputs: i32, outputs: i32): Interpreter | null {
  const engine = new Interpreter(partitionBase(name), partitionSize(name));
  if (!engine.ok) {
    // No "kws" partition is not an error: the app's own LED set may be in flash instead.
    if (name == "kws" && partitionSize(name) == 0) return null;
    line.str("voice-control: model ").str(name).str(": ").str(engine.error); say(); return null;
  }
  if (engine.input(0).elements != inputs || engine.output(0).elements != outputs) {
    line.str("voice-control: model ").str(name).str(" must take ").int(inputs).str(" and give ").int(outputs).str(" values"); say(); return null;
  }
  line.str("model ").str(name).str(" ").uint(partitionSize(name)).str(" B, arena ").uint(engine.arenaBytes).str(" B, ").uint(engine.layerCount).str(" layers");
  say();
  return engine;
}

// DTLN may take at most this share of its 8 ms hop, which is its share of every 40 ms buffer
// (five hops): the rest of the pipeline's worst buffer is 58 % on RT1060 without the re-beam
// (DTLN turns the re-beam off; README "Measured"), and 58 + 35 leaves a margin below 100.
const DTLN_MAX_LOAD_PCT: u64 = 35;

/** `dtln` when the core runs one of its hops in DTLN_MAX_LOAD_PCT of the hop's time, else null; either said on the console. */
function affordable(dtln: Dtln): Dtln | null {
  const hz = <u64>clock.coreHz();
  const cycles = dtln.probeCycles();
  const pct = cycles * 10000 * <u64>RATE / (hz * <u64>MS_HOP); // hundredths of a per cent of the hop's time
  const ms = <i64>(cycles * 100000 / hz); // hundredths of a ms
  const affords = pct <= DTLN_MAX_LOAD_PCT * 100;
  if (affords) line.str("noise suppressor: DTLN, ").fixed(ms, 2).str(" ms of each 8 ms hop (").fixed(<i64>pct, 2).str(" %); the re-beam is off with it");
  else line.str("voice-control: DTLN takes ").fixed(ms, 2).str(" ms of each 8 ms hop on this core (").fixed(<i64>pct, 2).str(" %, at most ").uint(DTLN_MAX_LOAD_PCT).str(" %): running without a noise suppressor");
  say();
  return affords ? dtln : null;
}

function stamp(ms: u64): TextBuffer {
  return line.str("[").fixed(<i64>ms, 3).str(" s] ");
}

export function main(): void {
  line.str("voice-control on a ").uint(clock.coreHz() / 1000000).str(" MHz core");
  say();
  const n = <i32>mic.count();
  if (n < 2 || n > MAX_MICS) {
    line.str("voice-control: needs 2 to ").int(MAX_MICS).str(" microphones, the board has ").int(n).str(" (attach an array with --mic-array)"); say();
    system.exit(2); return;
  }
  const wwEngine = model("ww", 30 * 40, 3);
  let kwsEngine = model("kws", 49 * 10, 12);
  // The command set: MLPerf's ten words from the "kws" partition; without one, the app's own
  // LED set from LED_PARTITION. Decided inside the failure test that runs anyway, so the
  // default set runs exactly the instructions it ran before the LED set existed.
  let led = false;
  if (wwEngine == null || kwsEngine == null) {
    if (wwEngine == null || partitionSize("kws") > 0 || partitionSize(LED_PARTITION) == 0) { system.exit(2); return; }
    kwsEngine = model(LED_PARTITION, 49 * 10, LED_WORDS.length);
    if (kwsEngine == null) { system.exit(2); return; }
    led = true;
  }
  // The wake word's second stage, when flash holds it (app.json "wwv") and the build asks for it
  // (option WAKE_VERIFIER, on; off: the first stage decides alone, as without the partition).
  let verifier: Verifier | null = null;
  if (WAKE_VERIFIER && partitionSize(VERIFIER_PARTITION) > 0) {
    const engine = model(VERIFIER_PARTITION, 49 * 10, 2);
    if (engine == null) { system.exit(2); return; }
    verifier = new Verifier(engine);
  }
  // TFLM's DTLN model, when flash holds it, suppresses noise where the core has the time.
  let dtln: Dtln | null = null;
  if (partitionSize(DTLN_PARTITION) > 0) {
    const engine = model(DTLN_PARTITION, MS_BINS, MS_BINS);
    if (engine == null) { system.exit(2); return; }
    dtln = affordable(new Dtln(engine));
  }
  const front = new FrontEnd(dtln);
  const wake = new WakeWord(wwEngine!);
  if (verifier != null) { wake.threshold = CANDIDATE_THRESHOLD; wake.run = 1; }
  const command = new Command(kwsEngine!);
  if (led) command.useSet(LED_WORDS, LED_COMMANDS);
  // Allocated only with the option, so the old rule's image keeps its heap as before.
  const closed: ClosedSet | null = COMMAND_CLOSED_SET ? new ClosedSet() : null;
  // A core below 400 MHz (MCX N947, 150 MHz) cannot score both models at full rate: the wake
  // word every 64 ms and commands every 200 ms there.
  const slow = clock.coreHz() < 400000000;
  wake.every = slow ? 2 : 1;
  const scoreEvery: u32 = slow ? 2 * SCORE_EVERY : SCORE_EVERY;
  const scoreMs: f32 = <f32>scoreEvery * 20; // feature steps of 20 ms
  // There a re-beam takes several buffers, and babble's new directions came faster than the union of their spans was done (MEASUREMENTS.md "The beam against microphone 0 through the emulator").
  if (slow && front.rebeam != null) front.rebeam!.union = false;
  const actions = new Actions();
  const card = new CardLog();
  const problem = card.open();
  if (problem.length > 0) { line.str("voice-control: sd card: ").str(problem).str("; running without a log"); say(); }
  else { line.str("logging detections to ").str(card.name); say(); }
  const capture = new Capture(front.history);
  if (problem.length == 0) capture.open();
  if (capture.enabled) { line.str("capturing 1.5 s around each detection to /VOICE/CAPTURE"); say(); }
  line.str("microphones: ").int(n).str(front.pdm ? " PDM bit streams, decimated here" : " PCM from the PDM receiver").str("; say \"marvin\", then a command; wake word every ").uint(32 * wake.every).str(" ms, commands every ").uint(20 * scoreEvery).str(" ms");
  say();

  const r = front.start();
  if (r != 0) { line.str("voice-control: microphone configure failed (").int(r).str(")"); say(); system.exit(2); return; }
  clock.watchdogStart(2000);
  let nextWw: u64 = <u64>(2 * HOP_SAMPLES + 512);
  let nextKws: u64 = <u64>(2 * STEP_SAMPLES);
  let listenUntil: u64 = 0; // ms of audio; 0 = not listening
  let traceUntil: u64 = 0; // COMMAND_TRACE: the window's end, decided or not
  let sinceScore: i32 = 0;
  let candidate: i32 = -1; // the command word above threshold at the previous scoring
  let wakeDeg: f32 = 0; // the direction of arrival at the wake word
  let wakeSure = false; // ... and whether it was confident (the command gate applies)
  let busy: u64 = 0, worst: u64 = 0, periodBuffers: u64 = 0;
  const hz = <u64>clock.coreHz();
  for (;;) {
    let idx = mic.takeBuffer();
    while (idx < 0) {
      clock.waitEvent(clock.EVENT_MIC, clock.nowUs() + 100000);
      clock.watchdogFeed();
      idx = mic.takeBuffer();
    }
    clock.watchdogFeed();
    const c0 = clock.cycles();
    for (let f = 0; f < FRAMES_PER_BUFFER; f++) {
      front.process(idx, f);
      actions.tick();
      const count = front.history.count;
      const nowMs = count * 1000 / <u64>RATE;
      let woke = false;
      while (nextKws <= count) {
        command.step(front.history, nextKws);
        nextKws += <u64>STEP_SAMPLES;
        if (verifier != null && verifier!.step(command)) woke = true;
        // With the trace on, scoring goes on to the window's end after a decision (nothing more is taken).
        if (listenUntil == 0 && !(COMMAND_TRACE && nowMs < traceUntil)) continue;
        if (++sinceScore < <i32>scoreEvery) continue;
        sinceScore = 0;
        command.classify();
        const gated = COMMAND_FROM_WAKE_DEG > 0 && wakeSure;
        const fromTalker = !gated || (front.hold.steered && angleApart(front.steeredDeg, wakeDeg) <= <f32>COMMAND_FROM_WAKE_DEG);
        // For measuring rules offline (voice-command-gate.ts --option COMMAND_TRACE=true): every class's output.
        if (COMMAND_TRACE) {
          const out = command.engine.output(0);
          stamp(nowMs).str("kws ").str(gated ? (fromTalker ? "in" : "out") : "open").str(" peak ").int(command.recentPeak(<i32>scoreEvery)).str(" p");
          for (let c = 0; c < command.words.length; c++) line.byte(0x20).int(<i32>load<i8>(out.data + <usize>c) - out.zeroPoint);
          say();
          if (listenUntil == 0) continue;
        }
        const hit = fromTalker && command.best < command.commands && command.score >= (gated ? GATED_THRESHOLD : COMMAND_THRESHOLD);
        let take = -1;
        let pct: u32 = 0;
        // The same word above threshold on two scorings in a row (100 ms apart), not a first guess at a word's onset;
        // with the closed set only when COMMAND_TWO_IN_A_ROW (it takes such a word before the closed set can).
        if (hit && command.best == candidate && (!COMMAND_CLOSED_SET || COMMAND_TWO_IN_A_ROW)) {
          take = command.best;
          pct = <u32>Mathf.round(command.score * 100);
        }
        if (COMMAND_CLOSED_SET) {
          const word = closed!.decide(command.engine.output(0), command.commands, fromTalker, scoreMs, nowMs >= listenUntil);
          if (take < 0 && word >= 0) { take = word; pct = <u32>Mathf.round(closed!.share * 100); }
        }
        candidate = hit ? command.best : -1;
        if (take >= 0) {
          const word = command.words[take];
          actions.apply(word);
          actions.describe(stamp(nowMs).str("command ").str(word).str(" ").uint(pct).str("% doa ").uint(<u64>front.doa.degrees).str(" deg -> "));
          say();
          card.detection(nowMs, "command", word, pct, front.doa.degrees);
          capture.mark();
          listenUntil = 0;
          candidate = -1;
        } else if (nowMs >= listenUntil) {
          stamp(nowMs).str("no command within ").uint(LISTEN_MS / 1000).str(" s");
          say();
          listenUntil = 0;
          candidate = -1;
        }
      }
      while (nextWw <= count) {
        const named = wake.hop(front.history, nextWw, nowMs);
        nextWw += <u64>HOP_SAMPLES;
        // With the verifier a candidate is checked over the next windows (verifier.ts), one at a time.
        if (named && !woke) woke = verifier == null ? true : verifier!.busy ? false : verifier!.start(command);
      }
      if (woke) {
        wake.accept(nowMs);
        // With the verifier the score shown is its newest window's (the first stage only named a
        // candidate; the decision took the mean of the last few, verifier.ts).
        const pct = <u32>Mathf.round((verifier != null ? verifier!.score : wake.smoothed) * 100);
        stamp(nowMs).str("wake marvin ").uint(pct).str("% doa ").uint(<u64>front.doa.degrees).str(" deg sure ").uint(<u64>Mathf.round(front.doa.confidence * 100)).str("%; listening ").uint(LISTEN_MS / 1000).str(" s");
        say();
        card.detection(nowMs, "wake", "marvin", pct, front.doa.degrees);
        capture.mark();
        actions.woke();
        listenUntil = nowMs + LISTEN_MS;
        traceUntil = listenUntil;
        wakeDeg = <f32>front.doa.degrees;
        wakeSure = front.doa.confidence * 100 >= <f32>COMMAND_DOA_CONFIDENCE_PCT;
        sinceScore = <i32>scoreEvery - 1 - FIRST_SCORE_STEPS;
        candidate = -1;
        if (closed != null) closed!.reset();
      }
    }
    // A pending re-beam (rebeam.ts) takes what is left of the buffer's time up to REBEAM_LOAD_PCT.
    if (front.rebeam != null) front.rebeam!.work(front.history, wake, command, c0 + hz / 100 * <u64>FRAMES_PER_BUFFER * <u64>REBEAM_LOAD_PCT / 100);
    if (capture.enabled) {
      const saved = capture.poll();
      if (saved.length > 0) { stamp(front.history.count * 1000 / <u64>RATE).str("captured ").str(saved); say(); }
    }
    const used = clock.cycles() - c0;
    busy += used;
    if (used > worst) worst = used;
    periodBuffers++;
    if (front.blocks % STATS_EVERY == 0) {
      const budget = hz / 100 * <u64>FRAMES_PER_BUFFER; // cycles in one buffer's time
      stamp(front.history.count * 1000 / <u64>RATE).str("load ").fixed(<i64>(busy * 10000 / (budget * periodBuffers)), 2).str(" % average, ")
        .fixed(<i64>(worst * 10000 / budget), 2).str(" % worst 40 ms buffer; overruns ").uint(mic.overruns());
      say();
      if (front.rebeam != null) {
        const rb = front.rebeam!;
        stamp(front.history.count * 1000 / <u64>RATE).str("re-beam ").uint(rb.past.blocks * 10).str(" ms (").uint(rb.past.bytes).str(" B): ").uint(rb.finished).str(" of ").uint(rb.started).str(" done, ")
          .uint(rb.blocksDone).str(" blocks, ").uint(rb.framesDone).str(" frames; ").uint(rb.cycles).str(" cycles, at most ").uint(rb.worstCycles).str(" cycles in a buffer");
        say();
      }
      busy = 0; worst = 0; periodBuffers = 0;
    }
  }
}
