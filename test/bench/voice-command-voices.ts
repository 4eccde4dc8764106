// Clean accuracy of the MLPerf KWS model on every candidate voice's ten words, with the app's
// command rule (apps/voice-control/eval/command-voices.ts says the rule and the candidates),
// and the pools the far-field command test set draws from.
//   npx tsx test/bench/voice-command-voices.ts [--write] [--json out.json]
// --write: the pools into apps/voice-control/eval/command-voices.json (what the scenes use).
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseScriptArgs } from "../../emulator/cli/script-args.ts";
import {
  CANDIDATES,
  cleanResults,
  pickPools,
  poolsFile,
  TEN_WORDS,
  type CleanResult,
} from "../../apps/voice-control/eval/command-voices.ts";
import { VOICES } from "../../apps/voice-control/eval/scenes.ts";
import { ROOT } from "./util.ts";

const pct = (k: number, n: number) => `${k} / ${n} (${Math.round((100 * k) / n)} %)`;

/** Per word: right over all candidates and over the bench's six voices; what the misses were heard as. */
export function cleanTable(results: CleanResult[]): string {
  const bench = (r: CleanResult) =>
    VOICES.some((v) => v.engine === r.engine && v.voice === r.voice);
  const lines = [
    "| word | right, all candidates | right, the bench's six voices | heard instead (count) |",
    "|---|---:|---:|---|",
  ];
  for (const w of TEN_WORDS) {
    const rs = results.filter((r) => r.word === w);
    const miss = new Map<string, number>();
    for (const r of rs)
      if (r.heard !== w) miss.set(r.heard ?? "nothing", (miss.get(r.heard ?? "nothing") ?? 0) + 1);
    const instead = [...miss].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`);
    lines.push(
      `| ${w} | ${pct(rs.filter((r) => r.heard === w).length, rs.length)} | ${pct(
        rs.filter((r) => bench(r) && r.heard === w).length,
        rs.filter(bench).length,
      )} | ${instead.join(", ")} |`,
    );
  }
  const right = results.filter((r) => r.heard === r.word).length;
  lines.push(`| all | ${pct(right, results.length)} | | |`);
  return lines.join("\n");
}

async function main() {
  const { values } = parseScriptArgs("voice-command-voices", {
    options: { write: { type: "boolean" }, json: { type: "string" } },
  });
  const dir = path.join(os.tmpdir(), "tinyboard-command-voices");
  mkdirSync(dir, { recursive: true });
  const log = (s: string) => process.stderr.write(`bench: ${s}\n`);
  const results = await cleanResults(dir, CANDIDATES, log);
  if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 1));
  console.log(cleanTable(results));
  const perVoice = CANDIDATES.map((v) => {
    const k = results.filter(
      (r) => r.engine === v.engine && r.voice === v.voice && r.heard === r.word,
    ).length;
    return `${v.engine} ${v.voice} ${k}`;
  });
  console.log(`\nper voice, words right of 10: ${perVoice.join("; ")}`);
  const pools = pickPools(results);
  console.log("\npools: " + TEN_WORDS.map((w) => `${w} ${pools[w]?.length ?? 0}`).join(", "));
  if (values.write) {
    const file = poolsFile(ROOT);
    writeFileSync(
      file,
      JSON.stringify(
        {
          note: "written by test/bench/voice-command-voices.ts --write; the rule: apps/voice-control/eval/command-voices.ts",
          pools,
        },
        null,
        1,
      ) + "\n",
    );
    console.log(`wrote ${path.relative(ROOT, file)}`);
  }
}

await main();
