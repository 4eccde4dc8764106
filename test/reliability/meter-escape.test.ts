// Issue 12.2, "never trust that an image was metered": crafted images whose meter is present
// but does not bound the work. Each is built in the test from the real spin image, edited
// with binaryen (not re-metered); each is refused in one line, or runs and is stopped by
// --seconds or the host's stall guard (under a wall-clock guard, so a hang fails the test).
import test from "ava";
import path from "node:path";
import binaryen from "../../emulator/toolchain/binaryen.ts";
import { writeImage, type Image } from "../../emulator/toolchain/image.ts";
import { loadTarget } from "../../emulator/board.ts";
import { Machine } from "../../emulator/machine.ts";
import { loadImageChecker } from "../../emulator/toolchain/verify-image.ts";
import { built, cli, tempDir } from "./helpers.ts";

const B = binaryen as any;
// The crafted images are checked in this process, with the binaryen it crafts them with (not in
// a checker thread that loads its own: verify-sync.ts).
test.before(loadImageChecker);
const rt1060 = loadTarget("rt1060");
const K = 1 << 20; // the meter's check limit (1/16 cycles)

function refuse(t: any, image: Image, message: RegExp): void {
  const e = t.throws(() => new Machine({ target: rt1060, image }));
  t.is(e?.name, "UserError");
  t.regex(e?.message ?? "", message);
  t.false((e?.message ?? "").includes("\n"));
}

/**
 * The spin image with `evil` added as its main: `build(m, tick)` returns the body, which
 * has two i32 locals (0 and 1, counters) and may call the meter's tick import.
 */
function craft(image: Image, build: (m: any, tick: string) => number): Image {
  const m = B.readBinaryWithFeatures(image.wasm, B.Features.All);
  let tick = "";
  for (let i = 0; i < m.getNumFunctions(); i++) {
    const f = B.getFunctionInfo(m.getFunctionByIndex(i));
    if (f.module === "tinyboard:meter" && f.base === "tick") tick = f.name;
  }
  m.addFunction("evil", B.none, B.none, [B.i32, B.i32], build(m, tick));
  m.removeExport("main");
  m.addFunctionExport("evil", "main");
  const wasm = m.emitBinary();
  m.dispose();
  return { ...image, wasm };
}

const c = (m: any) => m.local.get(0, B.i32);
const check = (m: any, target: string) => m.br(target, m.i32.ge_u(c(m), m.i32.const(K)));
const step = (m: any, k: number) => m.local.set(0, m.i32.add(c(m), m.i32.const(k)));
const flush = (m: any) =>
  m.global.set(
    "tb_cycles",
    m.i64.add(m.global.get("tb_cycles", B.i64), m.i64.extend_u(m.i32.shr_u(c(m), m.i32.const(4)))),
  );
/** The meter's shape: loop $A (block $B (loop $L (check -> $B) body...)) after... (call tick) (br $A). */
const metered = (m: any, tick: string, body: number[], after: number[]) =>
  m.loop(
    "A",
    m.block(null, [
      m.block("B", [m.loop("L", m.block(null, [check(m, "B"), ...body], B.none))]),
      ...after,
      m.call(tick, [], B.none),
      m.br("A"),
    ]),
  );

test("loop counters that never advance, go back or lead nowhere are refused in one line", async (t) => {
  const { image } = await built("test/fixtures/apps/spin");
  // The crafted shape itself is accepted when honest (so the refusals below are about the attack).
  t.notThrows(
    () =>
      new Machine({
        target: rt1060,
        image: craft(image, (m, tick) =>
          metered(m, tick, [step(m, 16), m.br("L")], [flush(m), m.local.set(0, m.i32.const(0))]),
        ),
      }),
  );
  const cases: [string, (m: any, tick: string) => number, RegExp][] = [
    [
      "no step: the counter never advances",
      (m, tick) => metered(m, tick, [m.br("L")], [flush(m)]),
      /a loop \(\w+\) never reaches the host/,
    ],
    [
      "an add of 0",
      (m, tick) => metered(m, tick, [step(m, 0), m.br("L")], [flush(m)]),
      /a loop \(\w+\) never reaches the host/,
    ],
    [
      "a huge add that wraps backwards (-16)",
      (m, tick) => metered(m, tick, [step(m, -16), m.br("L")], [flush(m)]),
      /a loop \(\w+\) never reaches the host/,
    ],
    [
      "the counter reset inside the loop",
      (m, tick) =>
        metered(m, tick, [step(m, 16), m.local.set(0, m.i32.const(0)), m.br("L")], [flush(m)]),
      /meter counter \(\w+\) is set back without a tick/,
    ],
    [
      "a tick that is dead code",
      (m, tick) =>
        m.loop(
          "A",
          m.block(null, [
            m.block("B", [
              m.loop("L", m.block(null, [check(m, "B"), step(m, 16), m.br("L")], B.none)),
            ]),
            m.if(m.i32.const(0), m.call(tick, [], B.none)),
            m.br("A"),
          ]),
        ),
      /(meter check \(\w+\) does not lead to a tick|a loop \(\w+\) never reaches the host)/,
    ],
    [
      "a back edge before the tick",
      (m, tick) =>
        m.loop(
          "A",
          m.block(null, [m.br("A", m.i32.const(1)), m.call(tick, [], B.none), m.br("A")]),
        ),
      /a loop \(\w+\) never reaches the host/,
    ],
    [
      "a check with a limit past the meter's",
      (m, tick) =>
        m.loop(
          "A",
          m.block(null, [
            m.block("B", [
              m.loop(
                "L",
                m.block(
                  null,
                  [m.br("B", m.i32.ge_u(c(m), m.i32.const(-1))), step(m, 16), m.br("L")],
                  B.none,
                ),
              ),
            ]),
            m.call(tick, [], B.none),
            m.br("A"),
          ]),
        ),
      /a loop \(\w+\) never reaches the host/,
    ],
    [
      "steps adding exactly 2^32 per iteration (the counter wraps to where it was)",
      (m, tick) =>
        metered(
          m,
          tick,
          [
            step(m, 16),
            ...Array.from({ length: 255 }, () => step(m, 1 << 24)),
            step(m, (1 << 24) - 16),
            m.br("L"),
          ],
          [flush(m), m.local.set(0, m.i32.const(0))],
        ),
      /meter counter \(\w+\) can grow by 4294967296 between two checks/,
    ],
    [
      "the counter stepped 255 x 2^24 inside an inner loop checked on another counter",
      (m, tick) => {
        const d = () => m.local.get(1, B.i32);
        // block $X (loop $A2 (block (block $B2 (loop $L2 ...) (br $X)) (call tick) (br $A2)))
        const inner = m.block("X", [
          m.loop(
            "A2",
            m.block(null, [
              m.block("B2", [
                m.loop(
                  "L2",
                  m.block(
                    null,
                    [
                      m.br("B2", m.i32.ge_u(d(), m.i32.const(K))),
                      m.local.set(1, m.i32.add(d(), m.i32.const(16))),
                      step(m, 1 << 24),
                      m.br("L2", m.i32.lt_u(d(), m.i32.const(255 * 16))),
                    ],
                    B.none,
                  ),
                ),
                m.br("X"),
              ]),
              m.call(tick, [], B.none),
              m.br("A2"),
            ]),
          ),
        ]);
        return metered(
          m,
          tick,
          [step(m, 16), step(m, (1 << 24) - 16), m.local.set(1, m.i32.const(0)), inner, m.br("L")],
          [flush(m), m.local.set(0, m.i32.const(0))],
        );
      },
      /meter counter \(\w+\) is stepped inside a loop \(\w+\) checked on another counter/,
    ],
    [
      "tb_cycles pushed near 2^63 (wraps backwards)",
      (m) =>
        m.global.set(
          "tb_cycles",
          m.i64.add(m.global.get("tb_cycles", B.i64), m.i64.const((1n << 63n) - 1n)),
        ),
      /sets tb_cycles other than by adding an unsigned count/,
    ],
    [
      "raw memory.grow (not through the host)",
      (m) => m.drop(m.memory.grow(m.i32.const(1))),
      /uses MemoryGrow, which firmware builds do not emit/,
    ],
  ];
  for (const [what, build, message] of cases) {
    t.log(what);
    refuse(t, craft(image, build), message);
  }
});

// The optimizer folds a region's charge after an if (or a switch's case charges) into the value
// of one step: c = (if X (then c + k1) (else c)) + k2, or c = (block $V (result i32) .. (br $V
// (c + k)) .. (c + k')). Such a step is accepted while every value it can take is c plus a
// count (meter-regions.ts, verify-patterns.ts stepGrowth); one path that subtracts, or that
// yields something else, is refused.
test("a step whose count a branch picks is accepted only when every path adds", async (t) => {
  const { image } = await built("test/fixtures/apps/spin");
  const x = (m: any) => m.local.get(1, B.i32);
  const plus = (m: any, k: number) => m.i32.add(c(m), m.i32.const(k));
  const inLoop = (m: any, tick: string, s: number) =>
    metered(m, tick, [step(m, 16), s, m.br("L")], [flush(m), m.local.set(0, m.i32.const(0))]);
  const ifStep = (m: any, other: number) =>
    m.local.set(0, m.i32.add(m.if(x(m), plus(m, 32), other), m.i32.const(8)));
  const blockStep = (m: any, branched: number | undefined) =>
    m.local.set(0, m.block("V", [m.drop(m.br("V", x(m), branched)), plus(m, 5)], B.i32));
  const load = (build: (m: any, tick: string) => number) => () =>
    new Machine({ target: rt1060, image: craft(image, build) });
  t.notThrows(
    load((m, tick) => inLoop(m, tick, ifStep(m, c(m)))),
    "if: c + 32 or c, then + 8",
  );
  t.notThrows(
    load((m, tick) => inLoop(m, tick, blockStep(m, plus(m, 32)))),
    "block: c + 32 or c + 5",
  );
  // An arm kept typed i32 whose block ends in a branch away yields nothing (the optimizer makes
  // it where the meter charges a tail after an if that may leave: tail-charges.ts).
  t.notThrows(
    load((m, tick) => inLoop(m, tick, ifStep(m, m.block(null, [m.br("L")], B.i32)))),
    "if: c + 32, or a block that branches back, then + 8",
  );
  const refused: [string, (m: any, tick: string) => number][] = [
    [
      "an arm that subtracts more than the step adds",
      (m, tick) => inLoop(m, tick, ifStep(m, plus(m, -64))),
    ],
    ["an arm that yields a constant", (m, tick) => inLoop(m, tick, ifStep(m, m.i32.const(0)))],
    [
      "a branch to the block that subtracts",
      (m, tick) => inLoop(m, tick, blockStep(m, plus(m, -64))),
    ],
  ];
  for (const [what, build] of refused) {
    const e = t.throws(load(build), undefined, what);
    t.regex(e?.message ?? "", /meter counter \(\w+\) is set back without a tick/, what);
  }
});

test("a tick path that never moves the meter (a counter on another global) is stopped by the host; an honest one by --seconds", async (t) => {
  const { image } = await built("test/fixtures/apps/spin");
  const dir = tempDir();
  // Ticks come, but the flush goes to another global: tb_cycles never moves, time stands still.
  const stalled = craft(image, (m, tick) => {
    m.addGlobal("decoy", B.i64, true, m.i64.const(0n));
    return metered(
      m,
      tick,
      [step(m, 16), m.br("L")],
      [
        m.global.set("decoy", m.i64.add(m.global.get("decoy", B.i64), m.i64.extend_u(c(m)))),
        m.local.set(0, m.i32.const(0)),
      ],
    );
  });
  writeImage(path.join(dir, "stalled.tbi"), stalled);
  const r = await cli(
    [
      "run",
      path.join(dir, "stalled.tbi"),
      "--board",
      "rt1060",
      "--state",
      path.join(dir, "s1"),
      "--seconds",
      "1",
      "--watchdog",
      "100",
      "-q",
    ],
    { timeoutMs: 600_000 },
  );
  t.false(r.timedOut, "a hang");
  t.is(r.status, 1, r.stderr);
  t.regex(
    r.stderr,
    /^tinyboard: error: image spin is refused: its loops or recursive calls reach the host 1000 times without its meter counting a cycle[^\n]*\n$/,
  );
  // The same shape with the flush: time moves, and --seconds ends the run.
  writeImage(
    path.join(dir, "honest.tbi"),
    craft(image, (m, tick) =>
      metered(m, tick, [step(m, 16), m.br("L")], [flush(m), m.local.set(0, m.i32.const(0))]),
    ),
  );
  const h = await cli(
    [
      "run",
      path.join(dir, "honest.tbi"),
      "--board",
      "rt1060",
      "--state",
      path.join(dir, "s2"),
      "--seconds",
      "0.1",
      "--json",
    ],
    { timeoutMs: 600_000 },
  );
  t.false(h.timedOut, "a hang");
  t.is(h.status, 0, h.stderr);
  t.is(JSON.parse(h.stdout).reason, "time-limit");
});
