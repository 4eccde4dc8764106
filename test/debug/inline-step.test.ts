// `next` over a call of an @inline function of the same file: asc copies the callee's statements
// into the caller's wasm function, so frame depth cannot tell them apart; the function's own
// source lines (line-hooks.ts records them) do. `step` still goes into the inlined body, where
// the backtrace shows the inlined function as a frame of its own and `next` walks its lines.
import test from "ava";
import path from "node:path";
import { loadTarget } from "../../emulator/board.ts";
import { buildApp } from "../../emulator/toolchain/build.ts";
import { DebugEngine } from "../../emulator/debug/engine.ts";
import { Commands } from "../../emulator/debug/commands.ts";
import { ROOT, lineOf } from "../faults/helpers.ts";

const target = loadTarget("rt1060");
const APP = path.join(ROOT, "test/fixtures/apps/inline-step");
const FILE = "test/fixtures/apps/inline-step/main.ts";

async function session(t: import("ava").ExecutionContext) {
  const { image } = await buildApp(APP, target, { debugLines: true });
  const engine = await DebugEngine.launch({ image, target, seconds: 1 });
  t.teardown(() => engine.close());
  const c = new Commands(engine);
  const before = lineOf("inline-step", "BEFORE");
  t.is(await c.execute(`break ${FILE}:${before}`), `breakpoint 1: line ${FILE}:${before}`);
  t.regex(await c.execute("continue"), new RegExp(`^stopped: breakpoint 1: .*:${before}\\b`, "s"));
  return c;
}

test("next over an @inline call stops at the caller's next line, not in the inlined body", async (t) => {
  t.timeout(600_000);
  const c = await session(t);
  const after = lineOf("inline-step", "AFTER CALL");
  t.regex(await c.execute("next"), new RegExp(`${FILE}:${after}\\b`));
});

test("step into an @inline call stops in its body", async (t) => {
  t.timeout(600_000);
  const c = await session(t);
  const body = lineOf("inline-step", "INLINE BODY");
  t.regex(await c.execute("step"), new RegExp(`${FILE}:${body}\\b`));
});

test("in an inlined body the backtrace names the inlined function above its caller, and next walks its lines", async (t) => {
  t.timeout(600_000);
  const c = await session(t);
  const body = lineOf("inline-step", "INLINE BODY");
  await c.execute("step");
  const bt = (await c.execute("backtrace")).split("\n");
  t.is(bt[0], `#0  report (test/fixtures/apps/inline-step/main) [inlined] at ${FILE}:${body}`);
  // The caller's line: asc expands @inline before the build records calls, so the frame names
  // main's statement before the call (a call the optimiser inlined gets its own line).
  t.is(
    bt[1],
    `#1  main (test/fixtures/apps/inline-step/main) at ${FILE}:${lineOf("inline-step", "BEFORE")}`,
  );
  t.is(bt.length, 2, bt.join("\n"));
  const second = lineOf("inline-step", "INLINE SECOND");
  t.regex(await c.execute("next"), new RegExp(`${FILE}:${second}\\b`));
  const after = lineOf("inline-step", "AFTER CALL");
  t.regex(await c.execute("next"), new RegExp(`${FILE}:${after}\\b`));
  t.regex(
    await c.execute("backtrace"),
    new RegExp(`^#0  main \\(test/fixtures/apps/inline-step/main\\) at ${FILE}:${after}$`),
  );
});
