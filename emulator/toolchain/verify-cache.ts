// The image verifier's results on disk: checking a model app's code takes ~1 CPU s, and every
// process that runs an image (a test file, a CLI run, a scenario worker) checked it again. A
// verdict is a function of the code's bytes and of the verifier (its sources, binaryen, the
// engine's WebAssembly.validate): kept under that key beside the build cache, so the same code
// is checked once per verifier. Only passes are kept: a refusal is found again each time and
// its message stays the checker's. Entries are written whole and renamed into place.
import { createHash } from "node:crypto";
import {
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { KeyHasher, cacheDir, compilerFiles } from "./build-cache.ts";
import { BINARYEN_VERSION } from "./binaryen-package.ts";

export interface VerifiedFacts {
  memoryMin: number;
  memoryMax: number;
}

/** Verdicts kept; the oldest are removed past this many (each is a few dozen bytes). */
const MAX_ENTRIES = 2048;

let verifierKey: string | undefined;
/** What a verdict depends on besides the code: the toolchain's sources (the verifier is part of
 *  them), binaryen's version and the JavaScript engine's. */
function verifierVersion(): string {
  if (verifierKey === undefined) {
    verifierKey = new KeyHasher()
      .add("binaryen", BINARYEN_VERSION)
      .add("engine", `${process.version} ${process.versions.v8}`)
      .files(compilerFiles())
      .digest();
  }
  return verifierKey;
}

const dir = () => path.join(cacheDir(), "verified");

/** The file that holds this code's verdict (whether or not there is one yet). */
export function verifiedEntry(wasm: Uint8Array): string {
  const key = createHash("sha256").update(verifierVersion()).update(wasm).digest("hex");
  return path.join(dir(), `${key.slice(0, 40)}.json`);
}

/** The facts of code this verifier passed before, or null (never checked, or unreadable). */
export function readVerified(wasm: Uint8Array): VerifiedFacts | null {
  try {
    const facts = JSON.parse(readFileSync(verifiedEntry(wasm), "utf8"));
    if (Number.isInteger(facts?.memoryMin) && Number.isInteger(facts?.memoryMax)) return facts;
  } catch {
    // no entry: the code is checked
  }
  return null;
}

/** Records that the verifier passed this code, with its facts. */
export function writeVerified(wasm: Uint8Array, facts: VerifiedFacts): void {
  try {
    mkdirSync(dir(), { recursive: true });
    const file = verifiedEntry(wasm);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ memoryMin: facts.memoryMin, memoryMax: facts.memoryMax }));
    renameSync(tmp, file);
    prune();
  } catch {
    // A read-only or full disk costs a check next time, never the run.
  }
}

function prune(): void {
  const names = readdirSync(dir()).filter((f) => f.endsWith(".json"));
  if (names.length <= MAX_ENTRIES) return;
  const byAge = names
    .map((f) => ({ f, t: statSync(path.join(dir(), f)).mtimeMs }))
    .sort((a, b) => a.t - b.t);
  for (const { f } of byAge.slice(0, names.length - MAX_ENTRIES)) {
    try {
      unlinkSync(path.join(dir(), f));
    } catch {
      /* gone already */
    }
  }
}
