// Counted loops (emulator/toolchain/meter-counted.ts) run without a per-iteration meter check:
// the verifier must prove their trip count bounded and paid for (verify-counted.ts). Crafted
// images, built from the real spin image with binaryen: the honest shape is accepted and runs;
// each way of breaking the proof is refused in one line.
import test from "ava";
import binaryen from "../../emulator/toolchain/binaryen.ts";
import type { Image } from "../../emulator/toolchain/image.ts";
import { loadTarget } from "../../emulator/board.ts";
import { Machine } from "../../emulator/machine.ts";
import { loadImageChecker } from "../../emulator/toolchain/verify-image.ts";
import { buildApp } from "../../emulator/toolchain/build.ts";
import { built } from "./helpers.ts";

const B = binaryen as any;
// The crafted images are checked in this process, with the binaryen it crafts them with (not in
// a checker thread that loads its own: verify-sync.ts).
test.before(loadImageChecker);
const rt1060 = loadTarget("rt1060");
const K = 1 << 20; // the meter's check limit (1/16 cycles)
// Locals of the crafted main: the meter counter, the index, the bound, an accumulator, and a
// local the index is copied from.
const [C, I, N, ACC, SRC] = [0, 1, 2, 3, 4];

/** The spin image with `build(m)` as the body of a new main (i32 locals C, I, N, ACC, SRC). */
function craft(image: Image, build: (m: any) => number): Image {
  const m = B.readBinaryWithFeatures(image.wasm, B.Features.All);
  m.addFunction("evil", B.none, B.none, [B.i32, B.i32, B.i32, B.i32, B.i32], build(m));
  m.removeExport("main");
  m.addFunctionExport("evil", "main");
  const wasm = m.emitBinary();
  m.dispose();
  return { ...image, wasm };
}

const get = (m: any, l: number) => m.local.get(l, B.i32);
const trips = (m: any) => m.i32.sub(get(m, N), get(m, I));

interface Parts {
  /** The if's test that lets the loop run unchecked. */
  guard: (m: any) => number;
  /** The entry charge statement. */
  charge: (m: any) => number;
  /** The loop's test. */
  test: (m: any) => number;
  /** The then-arm's statements before the branch back. */
  body: (m: any) => number[];
  /** The bound's value (set before the guard). */
  n: (m: any) => number;
  /** Statements between the bound and the guard. */
  before?: (m: any) => number[];
}

const honest: Parts = {
  guard: (m) =>
    m.i64.lt_u(
      m.i64.add(m.i64.extend_u(get(m, C)), m.i64.mul(m.i64.extend_u(trips(m)), m.i64.const(48n))),
      m.i64.const(BigInt(K)),
    ),
  charge: (m) =>
    m.local.set(
      C,
      m.i32.add(get(m, C), m.i32.add(m.i32.mul(trips(m), m.i32.const(48)), m.i32.const(16))),
    ),
  test: (m) => m.i32.lt_s(get(m, I), get(m, N)),
  body: (m) => [
    m.local.set(ACC, m.i32.add(get(m, ACC), get(m, I))),
    m.local.set(I, m.i32.add(get(m, I), m.i32.const(1))),
  ],
  // 1000 to 1023, a value the verifier cannot know: the trip count stays symbolic.
  n: (m) => m.i32.or(m.i32.load8_u(0, 1, m.i32.const(0)), m.i32.const(1000)),
};

/** set n; if (guard) { charge; loop $L (if (test) { body; br $L }) }; flush c into tb_cycles. */
function counted(p: Partial<Parts> = {}): (m: any) => number {
  const q = { ...honest, ...p };
  return (m) =>
    m.block(null, [
      m.local.set(N, q.n(m)),
      ...(q.before?.(m) ?? []),
      m.if(
        q.guard(m),
        m.block(null, [
          q.charge(m),
          m.loop("L", m.if(q.test(m), m.block(null, [...q.body(m), m.br("L")], B.none))),
        ]),
      ),
      m.global.set(
        "tb_cycles",
        m.i64.add(
          m.global.get("tb_cycles", B.i64),
          m.i64.extend_u(m.i32.shr_u(get(m, C), m.i32.const(4))),
        ),
      ),
    ]);
}

const REFUSED =
  /^image \S+ is refused: a loop \(\w+\) never reaches the host \(no meter check, no tick, and no proven trip count: [^)\n]+\): the code was not metered in function \S+$/;

test("an honest counted loop is accepted and runs; each broken proof is refused in one line", async (t) => {
  const { image } = await built("test/fixtures/apps/spin");
  const ok = new Machine({ target: rt1060, image: craft(image, counted()) });
  const summary = await ok.run({ seconds: 1 });
  t.is(summary.reason, "returned");
  // 1000 or more iterations at 3 cycles, the exit at one.
  t.true(summary.busyCycles >= 3001, `busy ${summary.busyCycles}`);
  // With a constant bound (and i from its zero start) the verifier knows the trip count.
  const known = counted({ n: (m) => m.i32.const(1000) });
  t.notThrows(() => new Machine({ target: rt1060, image: craft(image, known) }));

  const cases: [string, Partial<Parts>, RegExp][] = [
    ["no guard", { guard: (m) => m.i32.const(1) }, /its guard does not keep/],
    [
      "a guard past the meter's limit",
      {
        guard: (m) =>
          m.i64.lt_u(
            m.i64.add(
              m.i64.extend_u(get(m, C)),
              m.i64.mul(m.i64.extend_u(trips(m)), m.i64.const(48n)),
            ),
            m.i64.const(BigInt(K) * 4096n),
          ),
      },
      /its guard does not keep/,
    ],
    [
      "a guard that weighs the trips less than the charge",
      {
        guard: (m) =>
          m.i64.lt_u(
            m.i64.add(m.i64.extend_u(get(m, C)), m.i64.extend_u(trips(m))),
            m.i64.const(BigInt(K)),
          ),
      },
      /its guard does not keep/,
    ],
    [
      "a known trip count paid less than one unit an iteration",
      {
        n: (m) => m.i32.const(1000),
        charge: (m) => m.local.set(C, m.i32.add(get(m, C), m.i32.const(999))),
      },
      /its charge is not c \+ Q with Q at least its 1000 iterations/,
    ],
    [
      "a guard that sets the index",
      {
        guard: (m) => m.i32.and(honest.guard(m), m.i32.eqz(m.local.tee(I, m.i32.const(0), B.i32))),
      },
      /its guard writes/,
    ],
    [
      "a charge that pays nothing per iteration",
      { charge: (m) => m.local.set(C, m.i32.add(get(m, C), m.i32.const(16))) },
      /its charge is not/,
    ],
    [
      "a charge on another local",
      {
        charge: (m) => m.local.set(ACC, m.i32.add(get(m, C), m.i32.mul(trips(m), m.i32.const(48)))),
      },
      /its charge is not|guard does not keep|writes its meter counter/,
    ],
    [
      "an index set back inside the loop",
      {
        body: (m) => [
          m.local.set(I, m.i32.add(get(m, I), m.i32.const(1))),
          m.if(get(m, ACC), m.local.set(I, m.i32.const(0))),
        ],
      },
      /not of a local against a bound/,
    ],
    [
      "a step of 2 (it can step over the bound)",
      { body: (m) => [m.local.set(I, m.i32.add(get(m, I), m.i32.const(2)))] },
      /not of a local against a bound/,
    ],
    [
      "a step the wrong way",
      { body: (m) => [m.local.set(I, m.i32.sub(get(m, I), m.i32.const(1)))] },
      /not of a local against a bound/,
    ],
    [
      "a step only on some iterations",
      {
        body: (m) => [m.if(get(m, ACC), m.local.set(I, m.i32.add(get(m, I), m.i32.const(1))))],
      },
      /not of a local against a bound/,
    ],
    [
      "a bound written inside the loop",
      {
        body: (m) => [
          m.local.set(N, m.i32.add(get(m, N), m.i32.const(1))),
          m.local.set(I, m.i32.add(get(m, I), m.i32.const(1))),
        ],
      },
      /not of a local against a bound/,
    ],
    [
      "i <= n (never ends at the largest n)",
      { test: (m) => m.i32.le_s(get(m, I), get(m, N)) },
      /not of a local against a bound/,
    ],
    [
      "a branch back before the step",
      {
        body: (m) => [m.br("L", get(m, ACC)), m.local.set(I, m.i32.add(get(m, I), m.i32.const(1)))],
      },
      /branches back from more than one place/,
    ],
    [
      "a loop that writes its meter counter",
      {
        body: (m) => [
          m.local.set(C, m.i32.const(0)),
          m.local.set(I, m.i32.add(get(m, I), m.i32.const(1))),
        ],
      },
      /writes its meter counter/,
    ],
  ];
  for (const [what, parts, reason] of cases) {
    const e = t.throws(
      () => new Machine({ target: rt1060, image: craft(image, counted(parts)) }),
      {
        message: REFUSED,
      },
      what,
    );
    t.regex(e?.message ?? "", reason, what);
  }
});

test("the metering pass makes counted loops of the compute firmware's inner loops, which the verifier accepts", async (t) => {
  const { image } = await buildApp("test/bench-apps/compute", rt1060, {});
  const stats = image.manifest.meter!;
  // dense's dot product, fir's taps, crc32's bytes and the init loops.
  t.true((stats.counted ?? 0) >= 4, `counted loops: ${stats.counted} of ${stats.loops}`);
  t.notThrows(() => new Machine({ target: rt1060, image }));
});

// asc's -O1 after the meter reads a copied index through its source, and folds a known trip
// count into a guard that can never hold: both are proven, and their unsound neighbours refused.
test("a copied index read through its source, and a guard that never holds, are proven", async (t) => {
  const { image } = await built("test/fixtures/apps/spin");
  const viaSrc = (m: any) => m.i32.sub(get(m, N), get(m, SRC));
  const copied: Partial<Parts> = {
    // i = src (a value the verifier cannot know), then U read as n - src.
    before: (m) => [
      m.local.set(SRC, m.i32.load8_u(0, 1, m.i32.const(1))),
      m.local.set(I, get(m, SRC)),
    ],
    guard: (m) =>
      m.i64.lt_u(
        m.i64.add(
          m.i64.extend_u(get(m, C)),
          m.i64.mul(m.i64.extend_u(viaSrc(m)), m.i64.const(48n)),
        ),
        m.i64.const(BigInt(K)),
      ),
    charge: (m) =>
      m.local.set(
        C,
        m.i32.add(get(m, C), m.i32.add(m.i32.mul(viaSrc(m), m.i32.const(48)), m.i32.const(16))),
      ),
  };
  const ok = new Machine({ target: rt1060, image: craft(image, counted(copied)) });
  const summary = await ok.run({ seconds: 1 });
  t.is(summary.reason, "returned");
  t.true(summary.busyCycles >= 3 * (1000 - 255) + 1, `busy ${summary.busyCycles}`);
  // 1000 iterations at 2000 units cost past the limit: c + 2,000,000 < K never holds.
  const never: Partial<Parts> = {
    n: (m) => m.i32.const(1000),
    guard: (m) =>
      m.i64.lt_u(
        m.i64.add(m.i64.extend_u(get(m, C)), m.i64.const(2_000_000n)),
        m.i64.const(BigInt(K)),
      ),
    charge: (m) => m.local.set(C, m.i32.add(get(m, C), m.i32.const(16))),
  };
  t.notThrows(() => new Machine({ target: rt1060, image: craft(image, counted(never)) }));

  const cases: [string, Partial<Parts>, RegExp][] = [
    [
      "a copy's source moved on before the guard (U read too small)",
      {
        ...copied,
        before: (m) => [
          ...copied.before!(m),
          m.local.set(SRC, m.i32.add(get(m, SRC), m.i32.const(500))),
        ],
      },
      /its guard does not keep|its charge is not/,
    ],
    [
      "the index written after the copy",
      {
        ...copied,
        before: (m) => [...copied.before!(m), m.local.set(I, m.i32.const(0))],
      },
      /its guard does not keep|its charge is not/,
    ],
    [
      "a large constant that wraps (c - 1 < K holds)",
      {
        ...never,
        guard: (m) =>
          m.i64.lt_u(
            m.i64.add(m.i64.extend_u(get(m, C)), m.i64.const(-1n)),
            m.i64.const(BigInt(K)),
          ),
      },
      /its guard does not keep/,
    ],
    [
      "a large constant with c read twice around a tee (2c - (c + 16) + K < K holds for c < 16)",
      {
        guard: (m) =>
          m.i64.lt_u(
            m.i64.add(
              m.i64.sub(
                m.i64.mul(m.i64.extend_u(get(m, C)), m.i64.const(2n)),
                m.i64.extend_u(m.local.tee(C, m.i32.add(get(m, C), m.i32.const(16)), B.i32)),
              ),
              m.i64.const(BigInt(K)),
            ),
            m.i64.const(BigInt(K)),
          ),
      },
      /its guard does not keep/,
    ],
    [
      "c read around a tee (1000c - 999(c + 2^24) + 48U < K lets 48U pass the limit)",
      {
        guard: (m) =>
          m.i64.lt_u(
            m.i64.add(
              m.i64.sub(
                m.i64.mul(m.i64.extend_u(get(m, C)), m.i64.const(1000n)),
                m.i64.mul(
                  m.i64.extend_u(m.local.tee(C, m.i32.add(get(m, C), m.i32.const(1 << 24)), B.i32)),
                  m.i64.const(999n),
                ),
              ),
              m.i64.mul(m.i64.extend_u(trips(m)), m.i64.const(48n)),
            ),
            m.i64.const(BigInt(K)),
          ),
      },
      /its guard does not keep/,
    ],
    [
      "a large constant less the trips (c - U + 2,000,000 < K holds for long loops)",
      {
        guard: (m) =>
          m.i64.lt_u(
            m.i64.sub(
              m.i64.add(m.i64.extend_u(get(m, C)), m.i64.const(2_000_000n)),
              m.i64.extend_u(trips(m)),
            ),
            m.i64.const(BigInt(K)),
          ),
      },
      /its guard does not keep/,
    ],
  ];
  for (const [what, parts, reason] of cases) {
    const e = t.throws(
      () => new Machine({ target: rt1060, image: craft(image, counted(parts)) }),
      { message: REFUSED },
      what,
    );
    t.regex(e?.message ?? "", reason, what);
  }
});
