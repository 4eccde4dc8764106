// What the docs show a newcomer must be what they get: the memory reports quoted in README.md
// and docs/writing-an-app.md are what the build prints today, and every relative link in the
// README, docs/ and the apps' READMEs leads to a file that exists.
import test from "ava";
import path from "node:path";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { built } from "../helpers/tools.ts";
import { formatReport } from "../../emulator/toolchain/memory-report.ts";
import { PROJECT_ROOT } from "../../emulator/paths.ts";

const read = (file: string) => readFileSync(path.join(PROJECT_ROOT, file), "utf8");

/** The lines after `marker` up to the end of its fenced block (or of the next one, when the marker is prose before it). */
function blockAfter(doc: string, marker: string): string[] {
  const at = doc.indexOf(marker);
  if (at < 0) throw new Error(`'${marker}' is not in the doc`);
  const insideBlock = (doc.slice(0, at).match(/```/g) ?? []).length % 2 === 1;
  const start = insideBlock
    ? doc.indexOf("\n", at) + 1
    : doc.indexOf("\n", doc.indexOf("```", at)) + 1;
  return doc.slice(start, doc.indexOf("```", start)).trimEnd().split("\n");
}

test("README's memory report is what 'build apps/sensor-logger --board mcxn947' prints", async (t) => {
  const shown = blockAfter(
    read("README.md"),
    "$ npx tinyboard build apps/sensor-logger --board mcxn947",
  );
  const { report } = await built(path.join(PROJECT_ROOT, "apps/sensor-logger"), "mcxn947");
  const printed = formatReport(report).split("\n");
  t.deepEqual(shown.slice(0, printed.length), printed);
});

test("writing-an-app.md's SRAM lines are what hello-model's build prints on rt1060", async (t) => {
  const shown = blockAfter(read("docs/writing-an-app.md"), "`apps/hello-model` on rt1060");
  const { report } = await built(path.join(PROJECT_ROOT, "apps/hello-model"), "rt1060");
  const printed = formatReport(report).split("\n");
  t.deepEqual(shown, printed.slice(printed.findIndex((l) => l.startsWith("SRAM "))));
});

/** The anchors GitHub gives a Markdown file's headings: lower case, punctuation dropped, spaces to hyphens, "-1", "-2" for repeats. */
function headingAnchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fenced = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    const m = !fenced && /^#{1,6} (.*)$/.exec(line);
    if (!m) continue;
    const base = m[1]
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}_\- ]/gu, "")
      .replace(/ /g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

test("every relative link in README.md, docs/*.md and the apps' Markdown files resolves, a #section to a heading of its file", (t) => {
  const docs = [
    "README.md",
    ...readdirSync(path.join(PROJECT_ROOT, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
    ...readdirSync(path.join(PROJECT_ROOT, "apps"), { recursive: true })
      .map(String)
      .filter((f) => f.endsWith(".md") && !f.includes("node_modules"))
      .map((f) => `apps/${f}`),
  ];
  const broken: string[] = [];
  for (const doc of docs) {
    for (const m of read(doc).matchAll(/\]\(([^)\s]+)\)/g)) {
      const [link, anchor] = m[1].split("#");
      if (/^[a-z]+:/i.test(link)) continue;
      const target = link
        ? path.relative(PROJECT_ROOT, path.resolve(PROJECT_ROOT, path.dirname(doc), link))
        : doc;
      if (!existsSync(path.join(PROJECT_ROOT, target))) broken.push(`${doc}: ${m[1]}`);
      else if (anchor && target.endsWith(".md") && !headingAnchors(read(target)).has(anchor))
        broken.push(`${doc}: ${m[1]} (no such heading)`);
    }
  }
  t.true(docs.length > 10);
  t.deepEqual(broken, []);
});
