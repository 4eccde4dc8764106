// Audio-visual scenes (emulator/inputs/av-scene/): validation as one-line errors, mouths that
// follow each person's own speech, distractors that move lips without speech or hide speech,
// sound and picture on one timeline, deterministic frames, and the export command.
import test from "ava";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { InputError } from "../../emulator/inputs/accel-source.ts";
import { loadAvScene } from "../../emulator/inputs/av-scene/scene.ts";
import { faceState } from "../../emulator/inputs/av-scene/face-state.ts";
import { renderFrame } from "../../emulator/inputs/av-scene/face-render.ts";
import { faceTruth } from "../../emulator/inputs/av-scene/truth.ts";
import { openAvScene } from "../../emulator/inputs/av-scene/av-source.ts";
import { cli, ROOT } from "../faults/helpers.ts";

const SPEECH = path.join(ROOT, "apps/active-speaker/scenes/speech");
const dir = mkdtempSync(path.join(os.tmpdir(), "tinyboard-av-"));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const NO_MICS = { positionsMm: [] };
const LINE4 = {
  positionsMm: [
    [-52.5, 0, 0],
    [-17.5, 0, 0],
    [17.5, 0, 0],
    [52.5, 0, 0],
  ] as [number, number, number][],
};

function sceneFile(name: string, scene: object): string {
  const f = path.join(dir, name);
  writeFileSync(f, JSON.stringify(scene));
  return f;
}
const talker = (extra: object = {}) => ({
  name: "a",
  az: 10,
  dist: 1.5,
  speech: [{ file: path.join(SPEECH, "es-us-m1-0.wav"), start: 0.5 }],
  ...extra,
});

test("bad scenes are refused with one line naming the field", (t) => {
  const cases: [object, RegExp][] = [
    [
      { people: [talker({ speech: [{ file: "missing.wav" }] })] },
      /people\[0\]\.speech\[0\]: missing\.wav: file not found/,
    ],
    [{ people: [talker({ az: 50 })] }, /people\[0\] \(a\) is not fully in the camera's view/],
    [{ people: [talker(), talker({ name: "b", az: 11 })] }, /overlap in the image/],
    [{ people: [talker({ dist: 0.35 })] }, /too close/],
    [
      {
        people: [talker()],
        offscreen: [{ file: path.join(SPEECH, "fl-kal-0.wav"), az: 5, dist: 2 }],
      },
      /offscreen\[0\] is in the camera's view/,
    ],
    [
      { people: [talker({ events: [{ type: "yawn", start: 1, end: 2 }] })] },
      /events\[0\]\.type must be one of mouthing, chewing, smile, hand, turned/,
    ],
    [
      { people: [talker({ events: [{ type: "hand", start: 2, end: 1 }] })] },
      /end \(1\) must be after start \(2\)/,
    ],
    [{ people: [talker({ hat: true })] }, /unknown key 'people\[0\]\.hat'/],
    [
      { people: [talker({ dist: 9 })], room: { size: [5, 4, 2.7] } },
      /outside the 5 x 4 x 2.7 m room/,
    ],
    [{ people: [] }, /duration is required/],
  ];
  cases.forEach(([scene, message], i) => {
    const e = t.throws(() => loadAvScene(sceneFile(`bad${i}.json`, scene), LINE4), {
      instanceOf: InputError,
    });
    t.regex(e!.message, message);
    t.false(e!.message.includes("\n"));
  });
  t.throws(() => loadAvScene(path.join(dir, "none.json"), NO_MICS), {
    message: /scene file not found/,
  });
});

test("the CLI refuses a bad scene with one line and exit code 1", (t) => {
  const r = cli([
    "scene",
    "export",
    sceneFile("bad-cli.json", { people: [talker({ az: 70 })] }),
    "-o",
    path.join(dir, "out-bad"),
    "--no-video",
  ]);
  t.is(r.status, 1);
  t.regex(r.stderr.trim(), /^tinyboard: .*not fully in the camera's view/);
  t.is(r.stderr.trim().split("\n").length, 1);
});

test("the mouth opens with the person's own speech; truth follows the speech, not the lips", (t) => {
  const scene = loadAvScene(
    sceneFile("lips.json", {
      duration: 6,
      people: [
        talker(),
        {
          name: "m",
          az: -15,
          dist: 1.5,
          events: [
            { type: "mouthing", start: 0.5, end: 3 },
            { type: "chewing", start: 3.5, end: 5.5 },
          ],
        },
      ],
    }),
    NO_MICS,
  );
  const [a, m] = scene.people;
  const open = { speaking: [] as number[], silent: [] as number[] };
  let mouthingOpen = 0;
  for (let t0 = 0; t0 < 6; t0 += 0.02) {
    const s = faceState(a, t0);
    (s.speaking ? open.speaking : open.silent).push(s.open);
    const d = faceState(m, t0);
    t.false(d.speaking);
    mouthingOpen = Math.max(mouthingOpen, d.open);
  }
  const mean = (x: number[]) => x.reduce((p, q) => p + q, 0) / x.length;
  t.true(open.speaking.length > 50 && open.silent.length > 50);
  t.true(mean(open.speaking) > 0.35, `open while speaking ${mean(open.speaking)}`);
  t.true(mean(open.silent) < 0.1, `open while silent ${mean(open.silent)}`);
  t.true(mouthingOpen > 0.5, "silent mouthing opens the mouth");
});

test("speech behind a hand is speech with the mouth hidden", (t) => {
  const scene = loadAvScene(
    sceneFile("hand.json", { people: [talker({ events: [{ type: "hand", start: 0, end: 4 }] })] }),
    NO_MICS,
  );
  const rows = [1, 1.5, 2].map((s) => faceTruth(scene, s, 160, 120)[0]);
  t.true(rows.some((r) => r.speaking));
  t.true(rows.every((r) => !r.mouthVisible));
});

test("frames are deterministic; sensor noise differs from frame to frame; the face is where the truth says", (t) => {
  const scene = loadAvScene(
    sceneFile("det.json", { people: [talker({ skin: 5, hair: "black" })] }),
    NO_MICS,
  );
  const f1 = renderFrame(scene, 1, 160, 120, 30),
    f2 = renderFrame(scene, 1, 160, 120, 30),
    f3 = renderFrame(scene, 1, 160, 120, 31);
  t.deepEqual(f1, f2);
  t.notDeepEqual(f1, f3);
  const [x, y, w, h] = faceTruth(scene, 1, 160, 120)[0].box;
  const lum = (f: Uint8Array, px: number, py: number) =>
    f[3 * (py * 160 + px)] + f[3 * (py * 160 + px) + 1] + f[3 * (py * 160 + px) + 2];
  // A dark-skinned face is darker than the lit wall beside it.
  t.true(
    lum(f1, x + (w >> 1), y + Math.round(h * 0.6)) < lum(f1, Math.max(0, x - w), y + (h >> 1)) - 60,
  );
});

test("the camera's sensor noise follows the sensor's frame number, not the millisecond it was exposed", (t) => {
  const { camera } = openAvScene(sceneFile("noise.json", { people: [talker()] }), NO_MICS);
  const diff = (a: Uint8Array, b: Uint8Array) => {
    let acc = 0;
    for (let i = 0; i < a.length; i++) acc += Math.abs(a[i] - b[i]);
    return acc / a.length;
  };
  const GREY = 0;
  // Frame 15 exposed at 1.000 s or at 1.001 s (a board that started 1 ms later): the same noise,
  // only the scene's motion in 1 ms differs; frame 16 at the same instant draws other noise.
  const f = camera.frame(1000, 160, 120, GREY, 15);
  const later = camera.frame(1001, 160, 120, GREY, 15);
  const other = camera.frame(1000, 160, 120, GREY, 16);
  t.true(diff(f, later) < 0.05, `1 ms later, same frame number: ${diff(f, later)}`);
  t.true(diff(f, other) > 0.5, `same instant, next frame number: ${diff(f, other)}`);
});

test("sound and picture share the timeline: the microphones hear a person when the truth says they speak", (t) => {
  const { scene, mic } = openAvScene(
    sceneFile("sync.json", { people: [talker()], room: { rt60: 0.2 } }),
    LINE4,
  );
  t.truthy(mic);
  t.is(mic!.timeline, "board");
  const n = Math.round(scene.duration * 16000);
  const x = new Float64Array(n);
  mic!.read(0, 0, x);
  const rms = (t0: number) => {
    let acc = 0;
    for (let i = Math.round(t0 * 16000); i < Math.round((t0 + 0.02) * 16000); i++)
      acc += x[i] * x[i];
    return Math.sqrt(acc / 320);
  };
  const onset = Array.from({ length: 300 }, (_, k) => k * 0.01).find((s) =>
    scene.people[0].track.speakingAt(s),
  )!;
  t.true(Math.abs(onset - 0.5) < 0.1, `truth onset ${onset}`);
  t.true(rms(onset + 0.05) > 10 * rms(onset - 0.2), "the sound starts with the truth");
});

test("scene export writes the video, the WAV and the ground truth", (t) => {
  const out = path.join(dir, "export");
  const f = sceneFile("short.json", {
    duration: 1,
    people: [talker({ speech: [{ file: path.join(SPEECH, "es-us-m1-0.wav"), start: 0 }] })],
  });
  const r = cli(["scene", "export", f, "-o", out, "--size", "160x120", "--fps", "5"]);
  t.is(r.status, 0, r.stderr);
  const rows = readFileSync(path.join(out, "short.truth.csv"), "utf8").trim().split("\n");
  t.is(rows[0], "frame,t,person,speaking,mouth_visible,x,y,w,h");
  t.is(rows.length, 1 + 5);
  t.true(readFileSync(path.join(out, "short.mp4")).length > 1000);
  t.true(readFileSync(path.join(out, "short.wav")).length > 4 * 16000 * 2);
});
