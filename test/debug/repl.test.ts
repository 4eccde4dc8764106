// The debugger prompt on person_detect: a scripted session (break at a layer, step three
// layers, print a tensor, compare it with the float reference, continue to the end) with its
// output checked; typos answered in one line; debugged and plain runs agree to the cycle.
import test from "ava";
import { PassThrough } from "node:stream";
import { loadTarget } from "../../emulator/board.ts";
import { Machine } from "../../emulator/machine.ts";
import { DebugEngine } from "../../emulator/debug/engine.ts";
import { runRepl } from "../../emulator/debug/repl.ts";
import { LayerLog } from "../../emulator/debug/trace.ts";
import { spawnSync } from "node:child_process";
import { buildApp } from "../../emulator/toolchain/build.ts";
import path from "node:path";
import { build, cli, lineOf, ROOT, tmpDir } from "../faults/helpers.ts";

const target = loadTarget("rt1060");

/** A plain run (no debugger): cycles, console and each layer's begin cycle. */
async function plainRun(app = "person-model") {
  const { image } = await build(app);
  const machine = new Machine({ target, image, sdcard: null });
  const layers = new LayerLog(machine);
  let out = "";
  machine.events.on("console", (s) => {
    out += s;
  });
  const summary = await machine.run({ seconds: 2 });
  return { summary, console: out, begins: new Map(layers.spans.map((s) => [s.index, s.start])) };
}

/** Runs a REPL session over `script` (one command per line) and returns its transcript. */
async function session(script: string[], app = "person-model"): Promise<string> {
  const { image } = await build(app);
  const engine = await DebugEngine.launch({ image, target, seconds: 2 });
  const input = new PassThrough();
  const output = new PassThrough();
  let text = "";
  output.on("data", (d) => {
    text += d;
  });
  input.end(script.join("\n") + "\n");
  try {
    await runRepl(engine, { input, output });
  } finally {
    await engine.close();
  }
  return text;
}

/** The output of the command `cmd` in a transcript (up to the next prompt). */
function answer(transcript: string, cmd: string, nth = 0): string {
  const parts = transcript.split("(tinyboard) ").filter((p) => p.startsWith(`${cmd}\n`));
  if (!parts[nth]) throw new Error(`no '${cmd}' #${nth} in:\n${transcript}`);
  return parts[nth].slice(cmd.length + 1).trim();
}

const cycleOf = (text: string) => Number(/cycle (\d+)/.exec(text)![1]);

test("scripted session: break at layer 5, step three layers, print and diff a tensor, continue to the end", async (t) => {
  const plain = await plainRun();
  const script = [
    "break layer 5",
    "continue",
    "step",
    "step",
    "step",
    "info layers",
    "print tensor 59",
    "print tensor 63",
    "diff tensor 63",
    "info peripherals",
    "continue",
  ];
  const log = await session(script);
  t.log(log);
  t.regex(answer(log, "break layer 5"), /^breakpoint 1: layer 5$/);
  const atBreak = answer(log, "continue");
  t.regex(atBreak, /^stopped: breakpoint 1: layer 5 \(DEPTHWISE_CONV_2D\) on the CPU, cycle \d+/);
  t.regex(atBreak, /at test\/fixtures\/apps\/person-model\/main\.ts:\d+/);
  // Stopping happens in the layer hook: the clock reads exactly what the plain run had there,
  // and each step advances it by what the layer (and the dispatch to the next) costs.
  t.is(cycleOf(atBreak), plain.begins.get(5)!);
  const steps = [0, 1, 2].map((i) => answer(log, "step", i));
  t.regex(steps[0], /^stopped: layer 6 \(CONV_2D\)/);
  t.regex(steps[1], /^stopped: layer 7 \(DEPTHWISE_CONV_2D\)/);
  t.regex(steps[2], /^stopped: layer 8 \(CONV_2D\)/);
  steps.forEach((s, i) => t.is(cycleOf(s), plain.begins.get(6 + i)!, `step ${i + 1}`));
  const layers = answer(log, "info layers");
  t.regex(layers, /^\s+7\s+DEPTHWISE_CONV_2D\s+cpu\s+\d+/m);
  t.notRegex(layers, /^\s+8\s+CONV_2D/m, "layer 8 has not run");
  const rows = [...layers.matchAll(/^\s+\d+\s+\w+\s+cpu\s+(\d+)/gm)].map((m) => Number(m[1]));
  t.is(rows.length, 8, "layers 0..7 have run");
  t.is(
    Number(/total\s+(\d+) cycles in layers/.exec(layers)![1]),
    rows.reduce((a, b) => a + b, 0),
  );
  t.regex(layers, /now\s+before layer 8 \(CONV_2D, CPU\)/);
  // Tensor 59 (layer 4's output) was last read by layer 5; layer 7's output took its bytes.
  t.regex(
    answer(log, "print tensor 59"),
    /its arena bytes were reused by tensor 63 \(layer 7\)[^\n]*\n\s+values: not shown/,
  );
  // Tensor 63 is layer 7's output (Conv2d_4_depthwise), the input of layer 8.
  const printed = answer(log, "print tensor 63");
  t.regex(
    printed,
    /^tensor 63 'MobilenetV1\/MobilenetV1\/Conv2d_4_depthwise\/Relu6': int8 \[1, 12, 12, 32\] \(4608 bytes\)/,
  );
  t.regex(printed, /quantisation: scale 0\.02\d+, zero point -128/);
  t.regex(printed, /in the arena: computed by layer 7/);
  const [, min, max] = /values:\s+min (-?\d+)\s+max (-?\d+)/.exec(printed)!;
  t.is(Number(min), -128, "ReLU6 output: zero maps to the zero point");
  t.true(Number(max) <= 127 && Number(max) > 0);
  t.regex(printed, /dequantized: min 0 /);
  t.is(
    (printed.match(/^\s+\[\s*-?[\d.]+,\s*-?[\d.]+\)\s+\d+/gm) ?? []).length,
    8,
    "an 8-bin histogram",
  );
  const diff = answer(log, "diff tensor 63");
  t.regex(diff, /output of layer 7, DEPTHWISE_CONV_2D\) vs the float reference/);
  const snr = Number(/SNR ([\d.]+) dB/.exec(diff)![1]);
  t.true(snr > 25 && snr < 60, `int8 vs float SNR ${snr} dB`);
  // Inspection does not move time.
  t.is(
    cycleOf(
      answer(log, "info peripherals")
        .replace("time", "cycle")
        .replace(/cycle (\d+) cycles/, "cycle $1"),
    ),
    plain.begins.get(8)!,
  );
  const end = answer(log, "continue", 1);
  t.regex(end, /scores no-person=-113 person=113/);
  t.regex(end, /firmware ended: exit\(0\), cycle (\d+)/);
  t.is(
    cycleOf(end.slice(end.indexOf("firmware ended"))),
    plain.summary.cycles,
    "debugged and plain runs take the same cycles",
  );
  t.is(
    (end.match(/\[console\] .*/g) ?? []).map((l) => l.slice(10)).join("\n") + "\n",
    plain.console,
    "and print the same",
  );
});

test("typos and bad input get one-line errors and the session goes on", async (t) => {
  const log = await session([
    "frobnicate",
    "break layer x",
    "break op NOT_AN_OP",
    "break",
    "print tensor 999",
    "print tensor",
    "print 3",
    "diff tensor 3",
    "info nonsense",
    "x/4xb zzz",
    "x/4xb 0xfffffff0",
    "delete x",
    "step",
    "print tensor no_such_name",
    "diff tensor 0",
    "backtrace",
    "help step",
    "continue",
    "continue",
  ]);
  for (const cmd of [
    "frobnicate",
    "break layer x",
    "break op NOT_AN_OP",
    "break",
    "print tensor",
    "print 3",
    "info nonsense",
    "x/4xb zzz",
    "x/4xb 0xfffffff0",
    "delete x",
    "print tensor no_such_name",
    "diff tensor 0",
  ]) {
    const a = answer(log, cmd);
    t.regex(a, /^error: /, cmd);
    t.is(a.split("\n").length, 1, `${cmd}: one line`);
  }
  t.regex(answer(log, "frobnicate"), /unknown command 'frobnicate' \(try 'help'\)/);
  t.regex(answer(log, "print tensor 999"), /error: (no tensor 999|the firmware has not started)/);
  t.regex(answer(log, "diff tensor 3"), /^error: /);
  t.regex(answer(log, "step"), /^stopped: layer 0 \(DEPTHWISE_CONV_2D\)/);
  t.regex(answer(log, "diff tensor 0"), /constant/);
  // The optimizer inlines invoke() into main: the frame is main's, at the invoke() line.
  t.regex(
    answer(log, "backtrace"),
    new RegExp(
      `^#0\\s+main \\(test/fixtures/apps/person-model/main\\) at test/fixtures/apps/person-model/main\\.ts:${lineOf("person-model", "invoke")}$`,
    ),
  );
  t.regex(
    answer(log, "help step"),
    /^step\n\s+at a source line: run to the next line, into calls; at a layer: run one layer/,
  );
  t.regex(answer(log, "continue"), /firmware ended: exit\(0\)/);
  t.regex(answer(log, "continue", 1), /^error: the firmware has exited/);
});

test("break op, finish, cycle and line breakpoints, next", async (t) => {
  const plain = await plainRun();
  const line = lineOf("person-model", "print-scores");
  // A cycle inside the model's start-up (half way to the first layer), whatever start-up costs.
  const mark = Math.floor(plain.begins.get(0)! / 2);
  const log = await session([
    "break op SOFTMAX",
    `break cycles ${mark}`,
    "continue",
    "delete 2",
    "continue",
    "finish",
    `break line test/fixtures/apps/person-model/main.ts:${line}`,
    "break line main.ts:1",
    "continue",
    "backtrace",
    "next",
    "continue",
    "info breakpoints",
    "backtrace",
  ]);
  const atCycles = answer(log, "continue");
  t.regex(atCycles, new RegExp(`^stopped: breakpoint 2: cycle \\d+ \\(>= ${mark}\\)`));
  const c = cycleOf(atCycles);
  // The first sync point (HAL call or loop-head tick) at or past the cycle count.
  t.true(c >= mark && c < plain.begins.get(0)!, `stopped at ${c}, before the inference`);
  t.regex(answer(log, "continue", 1), /^stopped: breakpoint 1: layer 30 \(SOFTMAX\)/);
  t.is(cycleOf(answer(log, "continue", 1)), plain.begins.get(30)!);
  t.regex(answer(log, "finish"), /^stopped: end of inference: layer 30 done/);
  t.regex(
    answer(log, `break line test/fixtures/apps/person-model/main.ts:${line}`),
    /^breakpoint 3: line test\/fixtures\/apps\/person-model\/main\.ts:\d+$/,
  );
  t.regex(answer(log, "break line main.ts:1"), /not verified/);
  const atLine = answer(log, "continue", 2);
  t.regex(
    atLine,
    new RegExp(`^stopped: breakpoint 3: test/fixtures/apps/person-model/main.ts:${line}`),
  );
  // printScores is inlined into main; the line is its own: the stop is in the HAL's println below it.
  t.regex(
    answer(log, "backtrace"),
    new RegExp(
      `^#0\\s+println \\(hal/console\\) at hal/console.ts:\\d+\n#1\\s+main \\(test/fixtures/apps/person-model/main\\) at test/fixtures/apps/person-model/main.ts:${line}$`,
    ),
  );
  const next = answer(log, "next");
  t.regex(
    next,
    /^\[console\] scores no-person=-113 person=113\nstopped: test\/fixtures\/apps\/person-model\/main\.ts:(\d+)/,
  );
  t.true(Number(/main\.ts:(\d+)/.exec(next)![1]) > line);
  t.regex(answer(log, "continue", 3), /firmware ended: exit\(0\)/);
  // Hit counts as the stops happened; after the end, the stack as it was when main returned.
  const info = answer(log, "info breakpoints");
  t.regex(info, /^ *1 +op SOFTMAX.* hit 1 time$/m, info);
  t.regex(info, /^ *3 +line .* hit 1 time$/m, info);
  t.regex(
    answer(log, "backtrace", 1),
    /^the firmware has ended \(exit\(0\)\); its stack then:\n#0\s+main \(test\/fixtures\/apps\/person-model\/main\) at test\/fixtures\/apps\/person-model\/main\.ts:\d+$/,
  );
});

test("break fault stops at the fault with its backtrace; memory stays readable", async (t) => {
  const log = await session(
    ["break fault", "continue", "backtrace", "info memory", "x/8xb 0x0", "continue"],
    "trap-div",
  );
  t.regex(answer(log, "continue"), /^stopped: FAULT trap: .*divi/i);
  t.regex(
    answer(log, "backtrace"),
    new RegExp(
      `main \\(test/fixtures/apps/trap-div/main\\) at test/fixtures/apps/trap-div/main.ts:${lineOf("trap-div", "DIVIDE")}`,
    ),
  );
  t.regex(
    answer(log, "x/8xb 0x0"),
    /^0x00000000: 54 42 50 54 /,
    "the partition table's magic, TBPT",
  );
  t.regex(answer(log, "continue", 1), /firmware ended: FAULT trap/);
});

// `tinyboard debug` builds a debug-lines image: built here first (into the build cache the CLI
// then reads), so the CLI's timeout is for the session, not a compile on a loaded machine.
test.before(async () => {
  await buildApp(path.join(ROOT, "test/fixtures/apps/person-model"), target, { debugLines: true });
});

test("tinyboard debug from the command line: piped commands; an unknown board is one line", (t) => {
  const r = spawnSync(
    process.execPath,
    ["bin/tinyboard.js", "debug", "test/fixtures/apps/person-model", "--board", "rt1060"],
    {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 110_000,
      input: "break op SOFTMAX\ncontinue\nprint tensor 31\ncontinue\n",
    },
  );
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, /\(tinyboard\) continue\nstopped: breakpoint 1: layer 30 \(SOFTMAX\)/);
  t.regex(r.stdout, /values:\s+-112 110/);
  t.regex(r.stdout, /firmware ended: exit\(0\)/);
  const bad = cli(["debug", "test/fixtures/apps/person-model", "--board", "rt9999"]);
  t.is(bad.status, 1);
  t.regex(bad.stderr, /^tinyboard: error: unknown board 'rt9999'.*\n$/);
  // An image for another board: the worker refuses it before reset, and that is one line too.
  const image = path.join(tmpDir(t), "pm.tbi");
  t.is(
    cli(["build", "test/fixtures/apps/person-model", "--board", "rt1060", "-o", image]).status,
    0,
  );
  const wrong = cli(["debug", image, "--board", "mcxn947"]);
  t.is(wrong.status, 1);
  t.is(
    wrong.stderr,
    "tinyboard: error: image was built for rt1060/cm7, not mcxn947/cm33: rebuild it for this board\n",
  );
});
