// Command rules evaluated offline on the app's per-scoring outputs after each wake word (a trace
// from `test/bench/voice-command-gate.ts --option COMMAND_TRACE=true --json FILE`), so a rule costs
// no emulator run. `oldRule` is main.ts's two-in-a-row rule; `closedSet` the closed-set decision
// (command-decision.ts) written again in TypeScript; both see exactly what the firmware sees.
// Run: `npx tsx apps/voice-control/eval/command-rules.ts TRACE.json... [--half even|odd|all]`
import { readFileSync } from "node:fs";
import { parseScriptArgs } from "../../../emulator/cli/script-args.ts";
import type { GateRow, TraceScoring } from "../../../test/bench/voice-command-gate.ts";

export const WORDS = ["down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes"];

export interface Decision {
  word: string;
  /** s after the wake line. */
  dt: number;
}

/** main.ts's rule: the same word on top at >= threshold on two scorings in a row (0.60 in the gate, 0.70 without). */
export function oldRule(trace: TraceScoring[], gatedPct = 60, openPct = 70): Decision | null {
  let candidate = -1;
  for (const s of trace) {
    let best = 0;
    for (let c = 1; c < s.q.length; c++) if (s.q[c] > s.q[best]) best = c;
    const thr = s.gate === "open" ? openPct : gatedPct;
    const hit = s.gate !== "out" && best < WORDS.length && (s.q[best] / 256) * 100 >= thr;
    if (hit && best === candidate) return { word: WORDS[best], dt: s.dt };
    candidate = hit ? best : -1;
  }
  return null;
}

export interface ClosedSetParams {
  /** Seconds between scorings (0.1; 0.2 on MCX N947): evidence is probability x seconds. */
  every: number;
  /** The leader's evidence needed, probability x seconds (0.15: 1.5 scorings at 100 % ...). */
  threshold: number;
  /** ... and how many times the runner-up's it must be. */
  ratio: number;
  /** Decide once clear and the leader's probability has fallen below this (the word leaving the window); 0: at the window's end only. */
  fall: number;
  /** The old rule first (main.ts), the closed set only when it has taken nothing by the window's end. */
  oldFirst: boolean;
}

/**
 * The closed-set decision: per command word, its probability summed over the scorings from the
 * talker's direction (the gate's "out" scorings add nothing), times the scoring interval; the leader
 * is taken when it reaches the threshold and `ratio` times the runner-up, at the window's end or
 * once the leader's probability has fallen. "silence" and "unknown" rule nothing out: they only
 * leave the words less probability to sum.
 */
export function closedSet(trace: TraceScoring[], p: ClosedSetParams): Decision | null {
  if (p.oldFirst) {
    const d = oldRule(trace);
    if (d) return d;
  }
  const sum = new Array<number>(WORDS.length).fill(0);
  for (let k = 0; k < trace.length; k++) {
    const s = trace[k];
    if (s.gate !== "out") for (let w = 0; w < WORDS.length; w++) sum[w] += (s.q[w] / 256) * p.every;
    let lead = 0;
    for (let w = 1; w < WORDS.length; w++) if (sum[w] > sum[lead]) lead = w;
    let second = 0;
    for (let w = 0; w < WORDS.length; w++) if (w !== lead) second = Math.max(second, sum[w]);
    const clear = sum[lead] >= p.threshold && sum[lead] >= p.ratio * second;
    const fallen = !p.oldFirst && p.fall > 0 && s.q[lead] / 256 < p.fall;
    if (clear && (fallen || k === trace.length - 1)) return { word: WORDS[lead], dt: s.dt };
  }
  return null;
}

/** Whichever of two decisions comes first. */
export function earlier(a: Decision | null, b: Decision | null): Decision | null {
  return a && (!b || a.dt <= b.dt) ? a : b;
}

export type Rule = (trace: TraceScoring[]) => Decision | null;

/** Right / wrong / none over the woken rows, and the median decision time after the word's end (ms). */
export function score(rows: GateRow[], rule: Rule) {
  let right = 0,
    wrong = 0,
    none = 0;
  const lat: number[] = [];
  for (const r of rows) {
    if (!r.woke || !r.trace) continue;
    const d = rule(r.trace);
    if (!d) none++;
    else if (d.word === r.said) right++;
    else wrong++;
    if (d && r.wakeT != null && r.wordEnd != null) lat.push((r.wakeT + d.dt - r.wordEnd) * 1000);
  }
  lat.sort((a, b) => a - b);
  return { right, wrong, none, latencyMs: lat.length ? Math.round(lat[lat.length >> 1]) : null };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseScriptArgs("command-rules", {
    allowPositionals: true,
    options: { half: { type: "string", default: "all" } },
  });
  const pick = (r: GateRow) => {
    const s = Number(r.scene.split(" ")[0]);
    return values.half === "all" || (values.half === "even") === (s % 2 === 0);
  };
  const sets = positionals.map((f) => ({
    f,
    rows: (JSON.parse(readFileSync(f, "utf8")) as GateRow[]).filter(pick),
  }));
  const rules: [string, Rule][] = [["old", (t) => oldRule(t)]];
  const every = sets.some(({ f }) => f.includes("mcxn947")) ? 0.2 : 0.1;
  for (const mode of ["end", "fall", "old-first"])
    for (const threshold of [0.1, 0.15, 0.2, 0.3])
      for (const ratio of [1.3, 1.5, 2])
        rules.push([
          `closed ${mode} evidence ${threshold} ratio ${ratio}`,
          (t) =>
            closedSet(t, {
              every,
              threshold,
              ratio,
              fall: mode === "fall" ? 0.1 : 0,
              oldFirst: mode === "old-first",
            }),
        ]);
  // Second round, for latency: the old rule where it takes a word first, or a faster fall.
  for (const mode of ["either", "fall 0.3"])
    for (const threshold of [0.15, 0.2, 0.3])
      for (const ratio of [1.3, 1.5]) {
        const p = { every, threshold, ratio, fall: mode === "either" ? 0.1 : 0.3, oldFirst: false };
        rules.push([
          `closed ${mode} evidence ${threshold} ratio ${ratio}`,
          mode === "either" ? (t) => earlier(oldRule(t), closedSet(t, p)) : (t) => closedSet(t, p),
        ]);
      }
  for (const [name, rule] of rules)
    console.log(
      `${name.padEnd(44)} ${sets.map(({ rows }) => JSON.stringify(score(rows, rule))).join("  ")}`,
    );
}
