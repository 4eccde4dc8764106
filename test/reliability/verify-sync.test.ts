// Loading the image checks only for code never checked before (verify-image.ts): a process
// that runs an image whose verdict is on disk never loads binaryen, and a synchronous check in
// a process that has not loaded the checks runs them in a worker thread (verify-sync.ts) with
// the verdicts the checks give in-process.
import test from "ava";
import { execFile } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { writeImage } from "../../emulator/toolchain/image.ts";
import { checkInWorker } from "../../emulator/toolchain/verify-sync.ts";
import { checkCode } from "../../emulator/toolchain/verify-code.ts";
import { ROOT, built, tempDir } from "./helpers.ts";

const APP = "test/fixtures/apps/spin";
const BIN = path.join(ROOT, "bin/tinyboard.js");
const WATCH = path.join(ROOT, "test/reliability/binaryen-watch.mjs");

/** The code with a custom section appended: valid, the same facts, never checked before. */
function newCode(wasm: Uint8Array, tag: string): Uint8Array {
  const name = Buffer.from(`tb-verify-sync-${tag}-${process.pid}-${Date.now()}`);
  const payload = Buffer.concat([Buffer.from([name.length]), name]);
  return new Uint8Array(Buffer.concat([wasm, Buffer.from([0, payload.length]), payload]));
}

/** `tinyboard run` in a child process that records the binaryen modules it resolves. */
async function runWatched(image: string, dir: string) {
  const watch = path.join(dir, `binaryen-${path.basename(image)}.txt`);
  const log = path.join(dir, `build-${path.basename(image)}.jsonl`);
  const env = { ...process.env, TINYBOARD_BINARYEN_WATCH: watch, TINYBOARD_BUILD_LOG: log };
  const args = [`--import=${WATCH}`, BIN, "run", image, "--board", "rt1060", "--seconds", "0.01"];
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: ROOT, env });
  const verifies = existsSync(log)
    ? readFileSync(log, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l))
        .filter((e) => e.event === "verify")
    : [];
  return { stdout, binaryen: existsSync(watch) ? readFileSync(watch, "utf8") : "", verifies };
}

test("a run of an image checked before never loads binaryen; one never checked loads it", async (t) => {
  const dir = tempDir("tb-verify-sync-");
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { image } = await built(APP);
  const checkedBefore = await runWatched(APP, dir); // the build and its check are on disk
  t.regex(checkedBefore.stdout, /spin on rt1060 .* time limit reached/);
  t.is(checkedBefore.binaryen, "", "binaryen was loaded");
  t.deepEqual(
    checkedBefore.verifies.map((e) => e.cached),
    [true],
  );
  // The control: the same run of code nobody checked loads binaryen (the watch sees it).
  const file = path.join(dir, "new.tbi");
  writeImage(file, { ...image, wasm: newCode(image.wasm, "run") });
  const neverChecked = await runWatched(file, dir);
  t.regex(neverChecked.binaryen, /node_modules\/binaryen\/index\.js/);
  t.regex(neverChecked.stdout, /spin on rt1060 .* time limit reached/);
  t.deepEqual(
    neverChecked.verifies.map((e) => [e.cached, e.inWorker ?? false]),
    [[false, false]],
    "the CLI loads the checks ahead, in its own thread",
  );
});

test("the checks in a worker thread give the verdicts they give in this thread", async (t) => {
  const { image } = await built(APP);
  const cases: Uint8Array[] = [
    image.wasm,
    newCode(image.wasm, "worker"),
    new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), // valid, but no memory
    image.wasm.subarray(0, image.wasm.length >> 1), // cut short
    new Uint8Array([1, 2, 3]),
  ];
  let passes = 0;
  for (const code of cases) {
    const here = checkCode(code, false);
    t.deepEqual(checkInWorker(code, false), here);
    if (typeof here !== "string") passes++;
  }
  t.is(passes, 2, "both forms of the built code pass; the others are refused");
});
