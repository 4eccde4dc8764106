// Sums per-file CPU logs of test/bench/file-cpu.js (see docs/test-time.md):
//   node test/bench/file-cpu-summary.js /tmp/cpu.jsonl [more.jsonl ...] [--top 25]
// One line per test file, most CPU first (user + system + waited-for CLI children; a file in
// several logs: the last log's), the files no log covers, and the two-slot schedule's length in
// ava's glob order and longest first, with each file's CPU seconds as its wall time and no build
// shared: an estimate of what the order of files could save, not a measurement.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const args = process.argv.slice(2);
const topAt = args.indexOf("--top");
const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 25;

const costs = {};
const rows = {};
for (const log of args)
  for (const line of readFileSync(log, "utf8").split("\n").filter(Boolean)) {
    const r = JSON.parse(line);
    costs[r.file] = r.user + r.sys + r.children;
    rows[r.file] = r;
  }

// ava's default order (globby's): shallower paths first, then by name.
const depth = (f) => f.split("/").length;
const files = readdirSync(path.join(root, "test"), { recursive: true })
  .map((f) => `test/${f.split(path.sep).join("/")}`)
  .filter((f) => f.endsWith(".test.ts"))
  .sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : a > b ? 1 : 0));

const byCost = files.filter((f) => f in costs).sort((a, b) => costs[b] - costs[a]);
const total = byCost.reduce((s, f) => s + costs[f], 0);
console.log("CPU s  (CLI)  wall s  file");
for (const f of byCost.slice(0, top)) {
  const r = rows[f];
  console.log(
    `${costs[f].toFixed(1).padStart(6)} ${r.children.toFixed(1).padStart(6)} ${r.wall.toFixed(1).padStart(7)}  ${f}`,
  );
}
const missing = files.filter((f) => !(f in costs));
console.log(`${byCost.length} of ${files.length} files, ${total.toFixed(0)} CPU s`);
if (missing.length) console.log(`not in the logs: ${missing.join(", ")}`);

/** Two slots, each file to the first free one: when the last file ends. */
function makespan(order) {
  const slots = [0, 0];
  for (const f of order) slots[slots[0] <= slots[1] ? 0 : 1] += costs[f] ?? 0;
  return Math.max(...slots);
}
console.log(
  `two slots: glob order ends at ${makespan(files).toFixed(0)} s, longest first at ` +
    `${makespan(byCost).toFixed(0)} s, half the total ${(total / 2).toFixed(0)} s`,
);
