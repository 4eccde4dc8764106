// The paired statistics of test/bench/voice-beam-paired.ts (the beam against microphone 0 on the
// same trials): McNemar's exact test on the discordant pairs, checked against binomial tails
// worked by hand, and the tables it prints from paired trials (the emulator's too, also when
// runs are joined with --tables), and the trials where host and firmware decide apart.
import test from "ava";
import {
  disagreementLines,
  emulatorTables,
  mcnemarExact,
  pairedGain,
  pairedTable,
  snrGainLine,
  type PairedTrial,
} from "../bench/voice-beam-paired.ts";

test("McNemar exact: two-sided 2 P(X <= min) and one-sided P(X >= b), X ~ Bin(b + c, 1/2)", (t) => {
  // 15 discordant for A, 6 for B (the triangle's wake words on 96 trials): P(X <= 6 | 21) = 82,160 / 2^21 (sum of C(21, i), i <= 6).
  const p = mcnemarExact(15, 6);
  t.true(Math.abs(p.aBetter - 82160 / 2 ** 21) < 1e-12, `${p.aBetter}`);
  t.true(Math.abs(p.twoSided - (2 * 82160) / 2 ** 21) < 1e-12, `${p.twoSided}`);
  // A worse than B: the one-sided p in A's favour is large; the two-sided one is symmetric.
  t.true(Math.abs(mcnemarExact(6, 15).twoSided - p.twoSided) < 1e-12);
  t.true(mcnemarExact(6, 15).aBetter > 0.98);
  // Equal discordant counts: two-sided 1 (capped); none at all: 1.
  t.is(mcnemarExact(4, 4).twoSided, 1);
  t.deepEqual(mcnemarExact(0, 0), { twoSided: 1, aBetter: 1 });
  // 8 of 8 discordant for A: 2^-8 one-sided.
  t.true(Math.abs(mcnemarExact(8, 0).aBetter - 1 / 256) < 1e-15);
});

test("the paired table counts each beam's trials and the discordant pairs against the baseline", (t) => {
  const trial = (a: boolean, b: boolean, right: boolean): PairedTrial => ({
    set: 0,
    scene: 0,
    trial: 0,
    spec: { dist: 1, rt60: 0.3, snr: 5, noise: "fan" },
    word: "on",
    host: {
      superdirective: { woke: a, heard: right ? "on" : null, commandRight: right },
      mic0: { woke: b, heard: null, commandRight: false },
    },
  });
  const trials = [
    trial(true, true, true),
    trial(true, false, true),
    trial(true, false, false),
    trial(false, true, false),
    trial(false, false, false),
  ];
  const table = pairedTable("t", trials, ["superdirective", "mic0"], "mic0");
  const row = table.split("\n").find((l) => l.startsWith("| superdirective"))!;
  // 3 of 5 woke with the beam, 2 right; wake discordant: mic0 only 1, beam only 2; commands: 0 / 2.
  t.true(row.includes("| 5 | 3 / 5 (60 %"), row);
  t.true(row.includes("| 2 / 5 (40 %"), row);
  t.true(row.includes("| 1 / 2, 1.000; 0.500 |"), row);
  t.true(row.includes("| 0 / 2, 0.500; 0.250 |"), row);
});

test("with cued commands on every trial the table adds their counts and discordant pairs", (t) => {
  const trial = (a: boolean, b: boolean): PairedTrial => ({
    set: 0,
    scene: 0,
    trial: 0,
    spec: { dist: 1, rt60: 0.3, snr: 5, noise: "fan" },
    word: "no",
    host: {
      superdirective: {
        woke: false,
        heard: null,
        commandRight: false,
        cued: { heard: a ? "no" : "go", right: a },
      },
      mic0: { woke: false, heard: null, commandRight: false, cued: { heard: null, right: b } },
    },
  });
  // Cued right: beam 4 of 6, mic0 1; discordant mic0 only 0, beam only 3.
  const trials = [
    trial(true, true),
    trial(true, false),
    trial(true, false),
    trial(true, false),
    trial(false, false),
    trial(false, false),
  ];
  const table = pairedTable("t", trials, ["superdirective", "mic0"], "mic0");
  t.true(table.split("\n")[0].includes("commands right, cued (Wilson 95 %)"), table);
  const row = table.split("\n").find((l) => l.startsWith("| superdirective"))!;
  t.true(row.includes("| 4 / 6 (67 %"), row);
  t.true(row.includes("| 0 / 3, 0.250; 0.125 |"), row);
  const mic = table.split("\n").find((l) => l.startsWith("| mic0"))!;
  t.true(mic.includes("| 1 / 6 (17 %"), mic);
});

test("the SNR line takes each scene once: median and quartiles of the scenes' gains", (t) => {
  const trial = (set: number, scene: number, trial: number, g?: number): PairedTrial => ({
    set,
    scene,
    trial,
    spec: { dist: 1, rt60: 0.3, snr: 5, noise: "fan" },
    word: "up",
    host: {},
    ...(g !== undefined && { snrGainDb: g }),
  });
  // Scenes (0,0) 1 dB, (0,1) 2 dB, (1,0) 3 dB, (1,1) 10 dB: median 2.5 dB over the scenes;
  // counting trials (the last scene has one) would give 2.
  const trials = [
    trial(0, 0, 0, 1),
    trial(0, 0, 1, 1),
    trial(0, 1, 0, 2),
    trial(0, 1, 1, 2),
    trial(1, 0, 0, 3),
    trial(1, 0, 1, 3),
    trial(1, 1, 0, 10),
  ];
  const line = snrGainLine(trials);
  t.true(line.includes("4 scenes: median 2.50 dB (quartiles 2.00 .. 10.00 dB)"), line);
  t.is(snrGainLine([trial(0, 0, 0)]), "");
});

test("the emulator's tables count only the trials that went through it, from joined runs too", (t) => {
  const emulated = (hostBeam: boolean, firmBeam: boolean, firmMic: boolean): PairedTrial => ({
    set: 6,
    scene: 0,
    trial: 0,
    spec: { dist: 3, rt60: 0.6, snr: 5, noise: "babble" },
    word: "up",
    host: {
      superdirective: { woke: hostBeam, heard: null, commandRight: false },
      mic0: { woke: firmMic, heard: null, commandRight: false },
    },
    emulator: {
      superdirective: {
        set: 6,
        spec: { dist: 3, rt60: 0.6, snr: 5, noise: "babble" },
        woke: firmBeam,
        commandRight: false,
      },
      mic0: {
        set: 6,
        spec: { dist: 3, rt60: 0.6, snr: 5, noise: "babble" },
        woke: firmMic,
        commandRight: false,
      },
    },
  });
  const hostOnly: PairedTrial = { ...emulated(true, true, false), emulator: undefined };
  const beams = ["superdirective", "mic0"] as const;
  t.is(emulatorTables("rt1060", [hostOnly], [...beams], "mic0"), "");
  // Firmware: beam wakes on 2 of 3, mic0 on 1; discordant mic0 only 1, beam only 2. The host's
  // beam wakes on all 3 emulated trials (and the host-only trial, not counted): agreement 2 / 3.
  const trials = [
    emulated(true, true, false),
    emulated(true, true, false),
    emulated(true, false, true),
    hostOnly,
  ];
  const out = emulatorTables("rt1060", trials, [...beams], "mic0").split("\n");
  const firm = out.find((l) => l.startsWith("| superdirective"))!;
  t.true(firm.includes("| 3 | 2 / 3 (67 %"), firm);
  t.true(firm.includes("| 1 / 2, 1.000; 0.500 |"), firm);
  const hostHeader = out.findIndex((l) => l.startsWith("| rt1060 host, same trials"));
  t.true(out[hostHeader + 2].includes("| 3 | 3 / 3 (100 %"), out[hostHeader + 2]);
  const gain = out.find((l) => l.startsWith("rt1060 emulator, superdirective - mic0, 3 trials"))!;
  t.true(gain.includes("wake words +33.3 points"), gain);
  const agreeHeader = out.findIndex((l) => l.startsWith("| beam | trials | wake: host = firmware"));
  const agree = out[agreeHeader + 2];
  t.true(agree.includes("| 2 / 3 | 3 / 3 |"), agree);
});

test("the paired gain: (gained - lost) / n with the Wilson interval of the gained share times d / n", (t) => {
  // 18 gained, 12 lost of 160: +3.75 points; Wilson 95 % of 18 / 30 is 0.42320 .. 0.75410 (worked
  // by hand: centre 0.58865, half-width 0.16545), so 30 / 160 (2 share - 1): -2.88 .. +9.53 points.
  const [g, lo, hi] = pairedGain(18, 12, 160);
  t.true(Math.abs(g - 3.75) < 1e-12, `${g}`);
  t.true(Math.abs(lo - -2.88) < 0.01, `${lo}`);
  t.true(Math.abs(hi - 9.53) < 0.01, `${hi}`);
  // Mirrored: the interval flips sign.
  const [g2, lo2, hi2] = pairedGain(12, 18, 160);
  t.true(Math.abs(g2 + g) < 1e-12 && Math.abs(lo2 + hi) < 1e-9 && Math.abs(hi2 + lo) < 1e-9);
  t.deepEqual(pairedGain(0, 0, 50), [0, 0, 0]);
});

test("the disagreement lines name each trial where host and firmware decide the wake word apart", (t) => {
  const trial = (scene: number, n: number, host: boolean, firm: boolean | null): PairedTrial => ({
    set: 4,
    scene,
    trial: n,
    spec: { dist: 1, rt60: 0.3, snr: 5, noise: "babble" },
    word: "up",
    host: { superdirective: { woke: host, heard: null, commandRight: false } },
    ...(firm !== null && {
      emulator: {
        superdirective: {
          set: 4,
          spec: { dist: 1, rt60: 0.3, snr: 5, noise: "babble" },
          woke: firm,
          commandRight: false,
        },
      },
    }),
  });
  const trials = [
    trial(0, 0, true, false), // host only, first "marvin"
    trial(0, 1, true, false), // host only, second
    trial(2, 0, false, true), // firmware only
    trial(3, 0, true, true), // alike
    trial(5, 0, true, null), // not emulated: not counted
  ];
  const out = disagreementLines(trials, ["superdirective"]).split("\n");
  t.deepEqual(out, [
    'superdirective, wake word host only: 2 (1 at a scene\'s first "marvin")',
    "  4/0/0 1 m, RT60 0.3 s, babble",
    "  4/0/1 1 m, RT60 0.3 s, babble",
    'superdirective, wake word firmware only: 1 (1 at a scene\'s first "marvin")',
    "  4/2/0 1 m, RT60 0.3 s, babble",
  ]);
});
