// `npm run bench`: the emulator's speed figures, measured as ratios in one run, section by
// section (the list and what each measures: sections.ts; `--list` prints it).
//   npm run bench                      every section
//   npm run bench -- --only mic,dsp    those sections; the others keep their last figures
//   npm run bench -- --readme          only rewrite the README's figures from results.json
// Prints each section's table, writes test/bench/results.json (per section: its figures, the
// date, the host and its load) and the README's figures between the bench markers. Nothing
// here asserts a timing: floors are reported, not enforced.
import os from "node:os";
import path from "node:path";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseScriptArgs } from "../../emulator/cli/script-args.ts";
import { sig, writeBenchBlock } from "./util.ts";
import { SECTIONS } from "./sections.ts";

const RESULTS = fileURLToPath(new URL("./results.json", import.meta.url));

interface Host {
  date: string;
  node: string;
  cpu: string;
  cores: number;
  loadAverage1m: number;
}
interface Measured {
  host: Host;
  seconds: number;
  result: unknown;
}
interface Results {
  sections: Record<string, Measured>;
}

const log = (msg: string): void => {
  process.stderr.write(`bench: ${msg}\n`);
};

const host = (): Host => ({
  date: new Date().toISOString(),
  node: process.version,
  cpu: `${os.cpus()[0]?.model.trim() ?? "unknown"}, ${os.platform()} ${os.arch()}`,
  cores: os.cpus().length,
  loadAverage1m: sig(os.loadavg()[0], 3),
});

function loadResults(): Results {
  if (!existsSync(RESULTS)) return { sections: {} };
  const saved = JSON.parse(readFileSync(RESULTS, "utf8"));
  if (saved.sections) return saved;
  // The older single-run file: its sections carried over where their figures read the same.
  const old: Host = {
    date: saved.date,
    node: saved.node,
    cpu: `${saved.cpu}, ${saved.platform}`,
    cores: saved.cores,
    loadAverage1m: saved.loadAverage1m,
  };
  const carried: Record<string, unknown> = {
    realtime: saved.realtime?.boards,
    compute: saved.compute?.boards,
    metering: saved.metering,
  };
  for (const id of [
    "inference",
    "fanMonitor",
    "debugOverhead",
    "microFrontend",
    "mic",
    "room",
    "microSpeech",
    "dsp",
    "buildTimes",
  ])
    carried[id] = saved[id];
  const sections: Record<string, Measured> = {};
  for (const [id, result] of Object.entries(carried))
    if (result) sections[id] = { host: old, seconds: 0, result };
  return { sections };
}

function readme(results: Results): string {
  const lines = [
    `Measured with \`npm run bench\`; each section's date, host and load are in test/bench/results.json.`,
  ];
  for (const s of SECTIONS) {
    const m = results.sections[s.id];
    if (!m || !s.markdown) continue;
    lines.push(
      "",
      s.markdown(m.result),
      `<sub>${s.id}: ${m.host.date.slice(0, 10)}, ${m.host.cpu} (${m.host.cores} cores, load ${m.host.loadAverage1m})</sub>`,
    );
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const { values } = parseScriptArgs("bench", {
    options: { only: { type: "string" }, list: { type: "boolean" }, readme: { type: "boolean" } },
  });
  if (values.list) {
    for (const s of SECTIONS) console.log(`${s.id.padEnd(18)} ${s.title}`);
    return;
  }
  // --readme: the README's figures from results.json as it stands (sections measured elsewhere).
  if (values.readme) {
    writeReadme(loadResults());
    return;
  }
  const ids = values.only
    ? values.only
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : SECTIONS.map((s) => s.id);
  const unknown = ids.filter((id) => !SECTIONS.some((s) => s.id === id));
  if (unknown.length) {
    process.stderr.write(
      `bench: unknown section ${unknown.join(", ")} (npm run bench -- --list)\n`,
    );
    process.exit(1);
  }
  const results = loadResults();
  for (const [i, s] of SECTIONS.entries()) {
    if (!ids.includes(s.id)) continue;
    log(`${i + 1}. ${s.id}: ${s.title}`);
    const started = Date.now();
    const result = await s.run(log);
    const seconds = sig((Date.now() - started) / 1000, 3);
    results.sections[s.id] = { host: host(), seconds, result };
    console.log(`\n${i + 1}. ${s.title} (${seconds} s)\n${s.table(result)}`);
    s.publish?.(result);
    // Saved after every section: an interrupted run keeps what it measured.
    writeFileSync(RESULTS, JSON.stringify(results, null, 2) + "\n");
  }
  writeReadme(results);
  log(`wrote ${path.relative(process.cwd(), RESULTS)}`);
}

function writeReadme(results: Results): void {
  if (writeBenchBlock("README.md", readme(results).trim())) log("updated the figures in README.md");
}

await main();
