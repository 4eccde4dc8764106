// The meter charges code where it runs: a region's charge covers only code that runs whenever
// the region starts, so code a branch jumps over (other cases of a switch, the tail after an
// early return or a break, the other arm of an if) is never charged. Each call of the probe's
// functions is measured alone, with a cost table that charges only i32.mul and br_table, and
// must cost exactly the multiplications on its path (counted from the probe's source).
import test from "ava";
import { loadTarget } from "../../emulator/board.ts";
import { buildApp } from "../../emulator/toolchain/build.ts";
import { Machine } from "../../emulator/machine.ts";

const PROBE = "test/emulator/meter-branches";
const MUL = 7;
const BR_TABLE = 3;

async function spans(): Promise<Map<string, number>> {
  const target = loadTarget("rt1060");
  const costs = { default: 0, "i32.mul": MUL, br_table: BR_TABLE };
  const { image } = await buildApp(PROBE, target, { costs });
  const machine = new Machine({ target, image, sdcard: null });
  let out = "";
  machine.events.on("console", (s) => {
    out += s;
  });
  const summary = await machine.run({ seconds: 100 });
  if (summary.fault) throw new Error(`the probe faulted: ${summary.fault}`);
  // Each span ends inside the second clock.cycles() HAL call, which costs its entry.
  const hal = target.board.timing.halCallCycles.value;
  const found = new Map<string, number>();
  for (const m of out.matchAll(/^(\w+) (\d+) (\d+)$/gm))
    found.set(`${m[1]} ${m[2]}`, Number(m[3]) - hal);
  return found;
}

const measured = spans();

/** Multiplications on each path, read off main.ts. */
const PATHS: Record<string, number[]> = {
  // case 0..3 and the default; one br_table each.
  pick: [1, 20, 2, 19 + 9, 0],
  // odd product: returns after 1; even: the 12 of the tail too.
  early: [1, 1 + 12],
  // leaves in iteration k: k whole iterations (1 + 6) and the 1 of the last; k = 4: 4 whole.
  scan: [1, 8, 15, 22, 28],
  scanBrIf: [1, 8, 15, 22, 28],
  // odd x: the dear arm returns (2); even: the cheap arm (1) and the 8 after the if.
  arms: [2, 1 + 8],
  // leaves in iteration k from the if inside the product: k whole iterations (2 + 1 + 5) and the
  // 2 of the test; k = 4: 4 whole. The 5 after the if are not charged when it leaves.
  tailIf: [2, 10, 18, 26, 32],
  // the same product as a call's argument (charged inside the expression, before the call).
  tailCall: [2, 10, 18, 26, 32],
};

for (const [name, muls] of Object.entries(PATHS)) {
  test(`${name}: each call costs exactly the multiplications on its path`, async (t) => {
    const got = await measured;
    const extra = name === "pick" ? BR_TABLE : 0;
    t.deepEqual(
      muls.map((_, k) => got.get(`${name} ${k}`)),
      muls.map((n) => n * MUL + extra),
    );
  });
}

test("tailFloor: a loop head under the floor of a cycle costs it once, taken back from the tail", async (t) => {
  const got = await measured;
  // Leaves in iteration k: k whole iterations (1 + 5 multiplications) and the floor's cycle.
  const whole = 6 * MUL;
  t.deepEqual(
    [0, 1, 2, 3, 4].map((k) => got.get(`tailFloor ${k}`)),
    [1, whole + 1, 2 * whole + 1, 3 * whole + 1, 4 * whole],
  );
});
