// `next` over a call of an @inline function of the same file: asc copies the callee's statements
// into the caller's wasm function, so frame depth cannot tell them apart; the function's own
// source lines (line-hooks.ts records them) do. `step` still goes into the inlined body.
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
