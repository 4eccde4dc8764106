// A fault inside code the compiler inlined (an allocation: ~lib's allocator inlined into the
// app's function) names the app's own line, not the statement before it (issue 11). asc emits
// no mapping of its own for a statement that is all inlined code (in sram-runtime, main.ts keeps
// mappings only for lines 11 and 12; the allocation on line 9 maps to ~lib/staticarray.ts):
// the build records each call into another file before optimising (inlined-calls.ts).
import test from "ava";
import { assertFault, lineOf, runFixture } from "./helpers.ts";

test("sram-exhausted inside an inlined allocation names the allocation's own line", async (t) => {
  const r = await runFixture("sram-runtime");
  const f = assertFault(t, r, "sram-exhausted");
  t.is(f.where?.file, "test/fixtures/apps/sram-runtime/main.ts", JSON.stringify(f.backtrace));
  t.is(f.where?.line, lineOf("sram-runtime", "ALLOC"), JSON.stringify(f.backtrace));
});
