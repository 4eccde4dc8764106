// Issue 12.5, bounded work: recursion without a loop (naive fib, two functions calling each
// other) has no loop head for the meter to check time at. Built apps must still stop at
// --seconds, --max-cycles and the watchdog; an image whose recursive functions lack the meter's
// entry check is refused at load, in one line naming the function.
import test from "ava";
import { readFileSync } from "node:fs";
import path from "node:path";
import binaryen from "../../emulator/toolchain/binaryen.ts";
import { recursiveFunctions, stronglyConnected } from "../../emulator/toolchain/call-graph.ts";
import { writeImage, type Image } from "../../emulator/toolchain/image.ts";
import { loadTarget } from "../../emulator/board.ts";
import { Machine } from "../../emulator/machine.ts";
import { loadImageChecker } from "../../emulator/toolchain/verify-image.ts";
import { ROOT, built, cli, tempDir } from "./helpers.ts";

const B = binaryen as any;
// The crafted images are checked in this process, with the binaryen it crafts them with (not in
// a checker thread that loads its own: verify-sync.ts).
test.before(loadImageChecker);
const rt1060 = loadTarget("rt1060");
const K = 1 << 20; // the meter's check limit (1/16 cycles)
const APPS = {
  self: { app: "test/fixtures/apps/recurse-self", recursive: ["fib"] },
  mutual: { app: "test/fixtures/apps/recurse-mutual", recursive: ["ping", "pong"] },
};
/** A hang fails the test well before ava's own timeout (a run here takes seconds). */
const HANG_MS = 120_000;

const shortName = (n: string) => n.slice(n.lastIndexOf("/") + 1);
/** A fault report's function ("fib (test/fixtures/apps/recurse-self/main)") is one of `names`. */
const inOneOf = (where: string | undefined, names: string[]) =>
  names.some((n) => where?.startsWith(`${n} (`));

/** The lines of `export function name` in an app's main.ts, to its closing brace. */
function linesOf(app: string, name: string): { start: number; end: number } {
  const lines = readFileSync(path.join(ROOT, app, "main.ts"), "utf8").split("\n");
  const start = lines.findIndex((l) => l.startsWith(`export function ${name}(`)) + 1;
  const end = lines.findIndex((l, i) => i >= start && l.startsWith("}")) + 1;
  return { start, end };
}

/** The image's recursive functions (short names), as the meter and the verifier see them. */
function recursiveIn(image: Image): string[] {
  const m = B.readBinaryWithFeatures(image.wasm, B.Features.All);
  try {
    return [...recursiveFunctions(B, m)].map(shortName).sort();
  } finally {
    m.dispose();
  }
}

async function run(app: string, args: string[]) {
  const dir = tempDir();
  const r = await cli(
    ["run", app, "--board", "rt1060", "--state", path.join(dir, "s"), "--json", ...args],
    { timeoutMs: HANG_MS },
  );
  return { ...r, summary: r.status !== null && r.stdout ? JSON.parse(r.stdout) : null };
}

for (const [kind, { app, recursive }] of Object.entries(APPS)) {
  test(`loop-free ${kind} recursion stops at --seconds and --max-cycles, and the watchdog fires as for a loop`, async (t) => {
    const { image } = await built(app);
    // The app is what it claims: recursion (a cycle of two for the mutual one) and no loop.
    t.deepEqual(recursiveIn(image), recursive);
    const [timed, budget, watchdog] = await Promise.all([
      run(app, ["--seconds", "0.05"]),
      run(app, ["--seconds", "1", "--max-cycles", "5000000"]),
      run(app, ["--seconds", "1", "--watchdog", "100"]),
    ]);
    for (const r of [timed, budget, watchdog])
      t.false(r.timedOut, "a hang: recursion never reached the host");
    t.is(timed.status, 0, timed.stderr);
    t.is(timed.summary.reason, "time-limit");
    t.is(timed.summary.cycles, 30_000_000);

    t.is(budget.summary?.fault?.kind, "cycle-budget", budget.stderr);
    // Stopped within one entry-check interval (2^16 cycles of entry charges) of the budget.
    t.true(budget.summary.busyCycles - 5_000_000 < 1 << 17, `${budget.summary.busyCycles}`);
    t.true(inOneOf(budget.summary.fault.where?.function, recursive), budget.stderr);

    t.is(watchdog.summary?.fault?.kind, "watchdog", watchdog.stderr);
    t.true(
      watchdog.summary.fault.cycles - 60_000_000 < 1 << 17,
      `${watchdog.summary.fault.cycles}`,
    );
    t.true(inOneOf(watchdog.summary.fault.where?.function, recursive), watchdog.stderr);
    // The line is the named function's own (its first statement: the entry check maps there),
    // not the end of the function before it in the code.
    const where = watchdog.summary.fault.where;
    const lines = linesOf(app, where.function.split(" ")[0]);
    t.true(where.line > lines.start && where.line <= lines.end, JSON.stringify(where));
  });
}

test("Tarjan's components: cycles of one, two and more, chains and a 200,000-deep chain", (t) => {
  const sorted = (cs: number[][]) =>
    cs.map((c) => [...c].sort((a, b) => a - b)).sort((a, b) => a[0] - b[0]);
  // 0 -> 1 -> 2 -> 0 (a triangle), 2 -> 3 (chain out), 3 -> 3 (self), 4 <-> 5, 5 -> 0
  t.deepEqual(sorted(stronglyConnected([[1], [2], [0, 3], [3], [5], [4, 0]])), [
    [0, 1, 2],
    [3],
    [4, 5],
  ]);
  // A long call chain (a hostile image's) is walked without recursion: no JS stack overflow.
  const n = 200_000;
  const chain = Array.from({ length: n }, (_, i) => (i + 1 < n ? [i + 1] : [0]));
  t.is(stronglyConnected(chain).length, 1);
  chain[n - 1] = [];
  t.is(stronglyConnected(chain).length, n);
});

// --- crafted images -------------------------------------------------------------------

/** Edits a built image with binaryen (not re-metered); `edit` gets the module and a lookup of
 *  functions by short name, and the name of the meter's tick import. */
function craft(
  image: Image,
  edit: (m: any, fn: (short: string) => any, tick: string) => void,
): Image {
  const m = B.readBinaryWithFeatures(image.wasm, B.Features.All);
  let tick = "";
  const byShort = new Map<string, any>();
  for (let i = 0; i < m.getNumFunctions(); i++) {
    const f = m.getFunctionByIndex(i);
    const info = B.getFunctionInfo(f);
    if (info.module === "tinyboard:meter" && info.base === "tick") tick = info.name;
    byShort.set(shortName(info.name), f);
  }
  edit(m, (s) => byShort.get(s), tick);
  // Keep the name section (binaryen drops it unless asked), so refusals name the function.
  const debugInfo = B.getDebugInfo();
  B.setDebugInfo(true);
  const wasm = m.emitBinary();
  B.setDebugInfo(debugInfo);
  m.dispose();
  return { ...image, wasm };
}

/** The entry check's statements (the first two of the body) and its counter global. */
function entryOf(f: any): { body: number; global: string } {
  const body = B.Function.getBody(f);
  const global = B.getExpressionInfo(B.Block.getChildAt(body, 0)).name;
  return { body, global };
}

const strip = (f: any) => {
  const { body } = entryOf(f);
  B.Block.removeChildAt(body, 0);
  B.Block.removeChildAt(body, 0);
};

/** An entry check built by hand: step, limit and what the tick path holds are the test's. */
function check(m: any, g: string, o: { step?: number; limit?: number; tickPath?: number[] }) {
  return [
    m.global.set(g, m.i32.add(m.global.get(g, B.i32), m.i32.const(o.step ?? 16))),
    m.if(
      m.i32.ge_u(m.global.get(g, B.i32), m.i32.const(o.limit ?? K)),
      m.block(null, o.tickPath ?? [], B.none),
    ),
  ];
}

function replaceCheck(m: any, f: any, tick: string, o: Parameters<typeof check>[2]) {
  const { body, global } = entryOf(f);
  const reset = m.global.set(global, m.i32.const(0));
  const parts = check(m, global, { tickPath: [reset, m.call(tick, [], B.none)], ...o });
  B.Block.setChildAt(body, 0, parts[0]);
  B.Block.setChildAt(body, 1, parts[1]);
}

function refused(image: Image): string {
  try {
    new Machine({ target: rt1060, image });
  } catch (e) {
    if ((e as Error).name !== "UserError") throw e;
    return (e as Error).message;
  }
  return "(accepted)";
}

test("an image whose recursive function lacks the meter's entry check is refused in one line naming it", async (t) => {
  const self = (await built(APPS.self.app)).image;
  const mutual = (await built(APPS.mutual.app)).image;
  // The built images and an unchanged round trip through binaryen are accepted.
  t.is(refused(self), "(accepted)");
  t.is(refused(craft(self, () => {})), "(accepted)");
  t.is(refused(craft(mutual, () => {})), "(accepted)");

  const missing =
    /its function \S+\/(\w+) calls itself \(directly or through others\) without the meter's check at its entry/;
  const cases: [string, Image, RegExp][] = [
    ["fib's check stripped", craft(self, (m, fn) => strip(fn("fib"))), missing],
    [
      "pong's check stripped (ping keeps its own)",
      craft(mutual, (m, fn) => strip(fn("pong"))),
      missing,
    ],
    [
      "a step of 0",
      craft(self, (m, fn, tick) => replaceCheck(m, fn("fib"), tick, { step: 0 })),
      missing,
    ],
    [
      "a step that wraps backwards (-16)",
      craft(self, (m, fn, tick) => replaceCheck(m, fn("fib"), tick, { step: -16 })),
      missing,
    ],
    [
      "a limit past the meter's",
      craft(self, (m, fn, tick) => replaceCheck(m, fn("fib"), tick, { limit: K * 64 })),
      missing,
    ],
    [
      "a tick path without the tick",
      craft(self, (m, fn, tick) => replaceCheck(m, fn("fib"), tick, { tickPath: [m.nop()] })),
      missing,
    ],
    [
      "the counter set back in the body (no tick follows)",
      craft(self, (m, fn) => {
        const { body, global } = entryOf(fn("fib"));
        B.Block.insertChildAt(body, 2, m.global.set(global, m.i32.const(0)));
      }),
      /the entry checks' counter \S+ is set other than by a check's step or before a tick in function \S+\/fib/,
    ],
    [
      "extra steps in the body (enough of them wrap the counter)",
      craft(self, (m, fn) => {
        const { body, global } = entryOf(fn("fib"));
        const step = m.global.set(
          global,
          m.i32.add(m.global.get(global, B.i32), m.i32.const(1 << 24)),
        );
        B.Block.insertChildAt(body, 2, step);
      }),
      /the entry checks' counter \S+ is set other than by a check's step/,
    ],
  ];
  for (const [what, image, message] of cases) {
    const m = refused(image);
    t.regex(m, message, what);
    t.false(m.includes("\n"), what);
    if (message === missing)
      t.is(missing.exec(m)?.[1], what.startsWith("pong") ? "pong" : "fib", what);
  }
});

test("call_indirect through a table counts as a call: an unchecked cycle through it is refused", async (t) => {
  const self = (await built(APPS.self.app)).image;
  // `evil` calls whatever the table's slot 0 holds with its own signature: itself.
  const indirect = (withCheck: boolean) =>
    craft(self, (m, fn, tick) => {
      const g = entryOf(fn("fib")).global;
      const call = m.call_indirect("evil_table", m.i32.const(0), [m.i32.const(1)], B.i32, B.none);
      const reset = m.global.set(g, m.i32.const(0));
      const body = withCheck
        ? [...check(m, g, { tickPath: [reset, m.call(tick, [], B.none)] }), call]
        : [call];
      m.addFunction("evil", B.i32, B.none, [], m.block(null, body, B.none));
      m.addTable("evil_table", 1, 1);
      m.addActiveElementSegment("evil_table", "evil_elems", ["evil"], m.i32.const(0));
    });
  t.regex(refused(indirect(false)), /its function evil calls itself/);
  t.is(refused(indirect(true)), "(accepted)");
});

test("the CLI refuses an image without its entry check: one line, exit 1", async (t) => {
  const self = (await built(APPS.self.app)).image;
  const dir = tempDir();
  writeImage(
    path.join(dir, "stripped.tbi"),
    craft(self, (m, fn) => strip(fn("fib"))),
  );
  const r = await cli(
    ["run", path.join(dir, "stripped.tbi"), "--board", "rt1060", "--state", path.join(dir, "s")],
    { timeoutMs: HANG_MS },
  );
  t.false(r.timedOut, "a hang");
  t.is(r.status, 1, r.stderr);
  t.regex(
    r.stderr,
    /^tinyboard: error: image recurse-self is refused: its function \S+\/fib calls itself \(directly or through others\) without the meter's check at its entry[^\n]*\n$/,
  );
});
