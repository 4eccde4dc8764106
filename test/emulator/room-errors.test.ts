// Bad scenes fail before anything is rendered, with one line naming the problem; the CLI
// prints it and exits 1.
import test from "ava";
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { InputError } from "../../emulator/inputs/accel-source.ts";
import { openRoomScene } from "../../emulator/inputs/room/room-source.ts";
import type { MicGeometry } from "../../emulator/inputs/mic-source.ts";

const run = promisify(execFile);
const LINEAR4: MicGeometry = {
  positionsMm: [
    [-52.5, 0, 0],
    [-17.5, 0, 0],
    [17.5, 0, 0],
    [52.5, 0, 0],
  ],
};
const dir = mkdtempSync(join(tmpdir(), "tinyboard-room-err-"));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
copyFileSync("emulator/inputs/room/speech/yes_1000ms.wav", join(dir, "yes.wav"));
copyFileSync("emulator/inputs/room/speech/marvin_617de221_0.wav", join(dir, "stereo.wav"));
writeFileSync(join(dir, "not-a-wav.wav"), "RIFX this is text\n");
writeFileSync(join(dir, "broken.json"), '{ "room": ');
{
  // a valid 16-bit mono WAV holding 0.5 s of digital silence
  const n = 8000,
    b = Buffer.alloc(44 + 2 * n);
  b.write("RIFF", 0);
  b.writeUInt32LE(36 + 2 * n, 4);
  b.write("WAVEfmt ", 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(16000, 24);
  b.writeUInt32LE(32000, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write("data", 36);
  b.writeUInt32LE(2 * n, 40);
  writeFileSync(join(dir, "silent.wav"), b);
}

const base = {
  room: { size: [5, 4, 2.8], rt60: 0.4 },
  talkers: [{ file: "yes.wav", az: 30, dist: 2 }],
};
function scene(name: string, patch: object): string {
  writeFileSync(join(dir, name), JSON.stringify({ ...base, ...patch }));
  return join(dir, name);
}

const cases: [string, string, RegExp][] = [
  [
    "a talker outside the room",
    scene("outside.json", { talkers: [{ file: "yes.wav", az: 0, dist: 4 }] }),
    /talkers\[0\] at \[.*\] is outside the 5 x 4 x 2.8 m room/,
  ],
  [
    "a noise source outside the room",
    scene("noise-out.json", { noise: [{ type: "fan", position: [1, 1, 3.5] }] }),
    /noise\[0\] at \[1.00, 1.00, 3.50\] is outside/,
  ],
  [
    "a missing WAV",
    scene("missing.json", { talkers: [{ file: "nope.wav", az: 30, dist: 2 }] }),
    /nope\.wav: file not found/,
  ],
  [
    "a file that is not a WAV",
    scene("notwav.json", { talkers: [{ file: "not-a-wav.wav", az: 30, dist: 2 }] }),
    /not-a-wav\.wav: not a WAV file/,
  ],
  [
    "a bad number",
    scene("badnum.json", { room: { size: [5, "four", 2.8] } }),
    /room\.size\[1\] must be a number \(got "four"\)/,
  ],
  [
    "a negative distance",
    scene("negdist.json", { talkers: [{ file: "yes.wav", az: 30, dist: -2 }] }),
    /talkers\[0\]\.dist must be > 0/,
  ],
  [
    "an impossible RT60",
    scene("rt.json", { room: { size: [5, 4, 2.8], rt60: 0.05 } }),
    /too short for a 5 x 4 x 2.8 m room/,
  ],
  [
    "an unknown noise type",
    scene("noisetype.json", { noise: [{ type: "hum" }] }),
    /unknown noise type "hum" \(known: white, pink, babble, fan, music, file\)/,
  ],
  [
    "a diffuse recording with fewer channels than microphones",
    scene("chans.json", { noise: [{ type: "file", file: "stereo.wav" }] }),
    /stereo\.wav has 2 channel\(s\) but the array has 4 microphones/,
  ],
  [
    "a silent talker",
    scene("silent.json", { talkers: [{ file: "silent.wav", az: 30, dist: 2 }] }),
    /silent\.wav is silent/,
  ],
  ["an SNR without noise", scene("snr.json", { snr: 5 }), /snr needs at least one noise source/],
  [
    "a typo in a key",
    scene("typo.json", { room: { size: [5, 4, 2.8], rt06: 0.4 } }),
    /unknown key 'room\.rt06'/,
  ],
  ["a missing scene file", join(dir, "no-such-scene.json"), /scene file not found/],
  ["a scene that is not JSON", join(dir, "broken.json"), /not valid JSON/],
  [
    "an inline scene with an unknown key",
    "scene:speech=yes.wav,azimuth=30",
    /unknown key 'azimuth'/,
  ],
  [
    "an inline scene with a bad number",
    "scene:speech=yes.wav,az=30,dist=far",
    /talkers\[0\]\.dist must be a number \(got "far"\)/,
  ],
  [
    "too long to render",
    scene("long.json", { duration: 590 }),
    /more than the \d+ samples a scene renders at once/,
  ],
];

for (const [name, spec, message] of cases) {
  test(`one-line error for ${name}`, (t) => {
    const e = t.throws(() => openRoomScene(spec, LINEAR4, { cwd: dir }), {
      instanceOf: InputError,
    });
    t.regex(e!.message, message);
    t.false(e!.message.includes("\n"));
  });
}

test("the CLI prints one line and exits 1 for a bad scene", async (t) => {
  const e = await t.throwsAsync(
    run(process.execPath, [
      "bin/tinyboard.js",
      "room-render",
      scene("cli.json", { noise: [{ type: "hum" }] }),
      "--out",
      join(dir, "x.wav"),
    ]),
  );
  const err = e as unknown as { code: number; stderr: string; stdout: string };
  t.is(err.code, 1);
  t.regex(err.stderr, /^tinyboard: error: .*unknown noise type "hum".*\n$/);
  t.is(err.stderr.trim().split("\n").length, 1);
});

test("room-ir writes one impulse response per microphone; room-render one signal per microphone", async (t) => {
  const s = scene("ok.json", { noise: [{ type: "pink" }], snr: 10 });
  const ir = await run(process.execPath, [
    "bin/tinyboard.js",
    "room-ir",
    s,
    "--out",
    join(dir, "ir.wav"),
  ]);
  t.regex(ir.stdout, /4 impulse responses .* measured T20 0\.\d+ s/);
  const out = await run(process.execPath, [
    "bin/tinyboard.js",
    "room-render",
    s,
    "--out",
    join(dir, "mics.wav"),
    "--format",
    "s16",
  ]);
  t.regex(out.stdout, /4 channels, peak -\d+\.\d dBFS, SNR 10\.00 dB at microphone 0/);
  const { readWav } = await import("../../emulator/inputs/wav.ts");
  const w = readWav(join(dir, "mics.wav"));
  t.is(w.channels.length, 4);
  t.is(w.sampleRate, 16000);
  t.is(readWav(join(dir, "ir.wav")).channels.length, 4);
});
