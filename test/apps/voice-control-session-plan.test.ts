// The 10-minute session's plan (test/bench/voice-session.ts sessionPlan), which both the emulated
// session and the host's per-request analysis (apps/voice-control/eval/session-candidates.ts)
// read: each request's metadata must describe the talker the scene actually holds, or the
// analysis would blame the wrong voice, distance or room for a missed wake word.
import test from "ava";
import path from "node:path";
import { sessionPlan, COMMAND_AFTER } from "./../bench/voice-session.ts";
import { REAL_MARVIN } from "../../apps/voice-control/eval/scenes.ts";
import { missingTools } from "../../apps/voice-control/train/synth.ts";
import { tempDir } from "../helpers/tools.ts";

interface Talker {
  file: string;
  start: number;
  az: number;
  dist: number;
}
interface Scene {
  talkers: Talker[];
  room: { rt60: number };
  snr: number;
  noise: { type: string }[];
}

const tools = missingTools(["espeak-ng", "flite"]);
(tools.length ? test.skip : test)(
  `the session plan's requests describe the scene's talkers${tools.length ? ` (skipped: no ${tools.join(", ")})` : ""}`,
  (t) => {
    const { segments, requests } = sessionPlan(tempDir("tinyboard-session-plan-"), 4);
    t.is(segments.length, 2);
    t.is(requests.length, 16);
    for (const q of requests) {
      const seg = segments.find((s) => q.wake >= s.offset && q.wake < s.offset + s.seconds)!;
      const scene = seg.scene as Scene;
      const marvin = scene.talkers.find((x) => Math.abs(seg.offset + x.start - q.wake) < 1e-9)!;
      const command = scene.talkers.find(
        (x) => Math.abs(seg.offset + x.start - q.wake - COMMAND_AFTER) < 1e-9,
      )!;
      t.truthy(marvin, `no talker at ${q.wake} s`);
      t.is(marvin.file, q.marvinFile);
      t.is(q.marvin === "real", marvin.file === REAL_MARVIN);
      if (q.marvin !== "real") {
        const [engine, voice] = q.marvin.split("/");
        t.true(path.basename(marvin.file).startsWith(`${engine}-${voice}-marvin`), marvin.file);
      }
      t.deepEqual([marvin.az, marvin.dist], [q.az, q.dist]);
      t.deepEqual([command.az, command.dist], [q.az, q.dist]);
      t.true(path.basename(command.file).endsWith(`-${q.command}.wav`), command.file);
      t.is(scene.room.rt60, q.rt60);
      t.is(scene.snr, q.snr);
      t.is(scene.noise[0].type, q.noise);
    }
    // The session alternates the real clip with the bench's synthetic voices.
    t.deepEqual(
      requests.slice(0, 4).map((q) => q.marvin === "real"),
      [true, false, true, false],
    );
  },
);
