// The image verifier's verdicts on disk (verify-cache.ts): a pass is recorded under the code's
// bytes and served to the next check of the same bytes, in any process; a refusal is never
// recorded. Each test uses code no other test file has (a custom section with random bytes),
// so a concurrent test process never sees the entries made here.
import test from "ava";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { loadTarget } from "../../emulator/board.ts";
import { Machine } from "../../emulator/machine.ts";
import { verifyImageCode } from "../../emulator/toolchain/verify-image.ts";
import { verifiedEntry } from "../../emulator/toolchain/verify-cache.ts";
import { built } from "./helpers.ts";

/** The code with a custom section of random bytes appended: valid, and unlike any other. */
function uniqueCode(wasm: Uint8Array): Uint8Array {
  const name = Buffer.from("tb-verify-cache-test");
  const payload = Buffer.concat([Buffer.from([name.length]), name, randomBytes(16)]);
  return new Uint8Array(Buffer.concat([wasm, Buffer.from([0, payload.length]), payload]));
}

test("a pass is recorded under the code's bytes and is what the next check of those bytes reads", async (t) => {
  const { image } = await built("test/fixtures/apps/wait-forever", "rt1060");
  const code = uniqueCode(image.wasm);
  const entry = verifiedEntry(code);
  t.teardown(() => rmSync(entry, { force: true }));
  t.false(existsSync(entry));
  const facts = verifyImageCode(code, "unique");
  t.deepEqual(facts, verifyImageCode(image.wasm, "original"), "the custom section changes no fact");
  t.true(existsSync(entry), "the pass is on disk");
  // A later check of the same bytes (another array: not this process's memo) reads the entry:
  // shown with an entry whose facts the checker would never give.
  writeFileSync(entry, JSON.stringify({ memoryMin: 1, memoryMax: 2 }));
  t.deepEqual(verifyImageCode(new Uint8Array(code), "copy"), { memoryMin: 1, memoryMax: 2 });
  // A damaged entry is not a verdict: the code is checked again and the entry rewritten.
  writeFileSync(entry, "{");
  t.deepEqual(verifyImageCode(new Uint8Array(code), "copy"), facts);
  t.deepEqual(verifyImageCode(new Uint8Array(code), "copy"), facts);
  // The image runs from the recorded verdict as from the checker's.
  const summary = await new Machine({
    target: loadTarget("rt1060"),
    image: { ...image, wasm: new Uint8Array(code) },
  }).run({ seconds: 0.01 });
  t.is(summary.fault, null);
});

test("a refusal is not recorded: the same bytes are refused again, by the checker", (t) => {
  const empty = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  const code = uniqueCode(empty);
  const entry = verifiedEntry(code);
  t.teardown(() => rmSync(entry, { force: true }));
  for (const copy of [code, new Uint8Array(code)]) {
    const e = t.throws(() => verifyImageCode(copy, "empty"));
    t.regex(e?.message ?? "", /^empty is refused: /);
    t.false(existsSync(entry));
  }
});
