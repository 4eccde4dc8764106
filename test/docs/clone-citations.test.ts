// A user's clone has no ../shared: what the repository ships cites public sources or
// docs/references.md (which copies the facts with their origin), never ../shared/reference.
// Generated bench blocks (<!-- bench:... -->) are checked through their generators in
// test/bench/, which are scanned like any source.
import test from "ava";
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../faults/helpers.ts";

const SHIPPED = [
  "README.md",
  "docs",
  "apps",
  "boards",
  "emulator",
  "firmware",
  "hal",
  "bin",
  "test/bench",
];
const TEXT = /\.(md|json|ts|js|yaml)$/;

function files(rel: string): string[] {
  const full = path.join(ROOT, rel);
  if (!statSync(full).isDirectory()) return [rel];
  return readdirSync(full)
    .filter((f) => f !== "node_modules" && f !== "data" && f !== "results.json")
    .flatMap((f) => files(path.join(rel, f)));
}

/** The text outside generated bench blocks (their generators are scanned instead). */
function authoredText(text: string): string {
  return text.replace(/<!-- bench:[\w:-]*start -->[\s\S]*?<!-- bench:[\w:-]*end -->/g, "");
}

test("authoredText drops generated bench blocks only", (t) => {
  const doc =
    "a ../shared/reference/x\n<!-- bench:start -->\nb ../shared/reference/y\n<!-- bench:end -->\nc";
  t.is(authoredText(doc), "a ../shared/reference/x\n\nc");
});

test("nothing a clone ships cites ../shared/reference", (t) => {
  const offenders: string[] = [];
  for (const file of SHIPPED.flatMap(files)) {
    if (!TEXT.test(file)) continue;
    const text = authoredText(readFileSync(path.join(ROOT, file), "utf8"));
    text.split("\n").forEach((line, i) => {
      if (line.includes("shared/reference")) offenders.push(`${file}:${i + 1}`);
    });
  }
  t.deepEqual(offenders, [], "cite docs/references.md or the public source instead");
});

test("docs/references.md has every section the sources cite by name", (t) => {
  const refs = readFileSync(path.join(ROOT, "docs/references.md"), "utf8");
  for (const section of ["Sanity anchors for inference latency", "NXP's person detector"])
    t.true(refs.includes(`## ${section}`), section);
  for (const anchor of [
    "sanity-anchors-for-inference-latency",
    "the-eiq-neutrons-operators-mcx-n947",
    "mlperf-tiny-keyword-spotting-front-end",
  ]) {
    const heading = refs
      .split("\n")
      .filter((l) => l.startsWith("## "))
      .map((l) =>
        l
          .slice(3)
          .toLowerCase()
          .replace(/[^\w\s-]/g, "")
          .replace(/\s/g, "-"),
      );
    t.true(heading.includes(anchor), anchor);
  }
});
