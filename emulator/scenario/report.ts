// How scenario results are shown: one line per scenario and board as they finish, a failure
// report under a failed one, a closing count; and JUnit XML for CI systems.
import path from "node:path";
import type { JobResult } from "./runner.ts";

const rel = (f: string) => path.relative(process.cwd(), f) || f;

export function resultLine(r: JobResult): string {
  const what = `${r.name} [${r.board}]`;
  if (r.passed)
    return `  ok    ${what}  (${r.emulatedSeconds.toFixed(3)} s emulated, ${r.wallSeconds.toFixed(2)} s wall)`;
  if (r.error) return `  FAIL  ${what}  ${rel(r.file)}:${r.line}\n        error: ${r.error}`;
  const f = r.failure!;
  return [
    `  FAIL  ${what}  ${rel(r.file)}:${f.line}`,
    `        step      ${f.step}`,
    `        expected  ${f.expected}`,
    `        got       ${f.actual}`,
    `        at        ${(f.timeUs / 1e6).toFixed(3)} s emulated (step ${r.stepsPassed + 1} of ${r.steps})`,
    ...(f.console.length
      ? [
          `        console   (last ${f.console.length} lines)`,
          ...f.console.map((l) => `          | ${l}`),
        ]
      : ["        console   (nothing printed)"]),
    ...(r.trace ? [`        trace     ${rel(r.trace)}`] : []),
  ].join("\n");
}

export function totalsLine(results: JobResult[], wallSeconds: number): string {
  const failed = results.filter((r) => !r.passed).length;
  const emulated = results.reduce((s, r) => s + r.emulatedSeconds, 0);
  return `${results.length - failed} passed, ${failed} failed (${emulated.toFixed(1)} s emulated in ${wallSeconds.toFixed(1)} s wall)`;
}

const xml = (s: string) =>
  s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");

/** JUnit XML: a testsuite per scenario file, a testcase per scenario and board. */
export function junitXml(results: JobResult[]): string {
  const byFile = new Map<string, JobResult[]>();
  for (const r of results) byFile.set(r.file, [...(byFile.get(r.file) ?? []), r]);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const failures = results.filter((r) => r.failure).length,
    errors = results.filter((r) => r.error).length;
  const total = results.reduce((s, r) => s + r.wallSeconds, 0);
  out.push(
    `<testsuites name="tinyboard scenarios" tests="${results.length}" failures="${failures}" errors="${errors}" time="${total.toFixed(3)}">`,
  );
  for (const [file, rs] of byFile) {
    const f = rs.filter((r) => r.failure).length,
      e = rs.filter((r) => r.error).length;
    out.push(
      `  <testsuite name="${xml(rel(file))}" tests="${rs.length}" failures="${f}" errors="${e}" time="${rs.reduce((s, r) => s + r.wallSeconds, 0).toFixed(3)}">`,
    );
    for (const r of rs) {
      out.push(
        `    <testcase name="${xml(`${r.name} [${r.board}]`)}" classname="${xml(`${r.app}.${r.board}`)}" file="${xml(rel(r.file))}" line="${r.failure?.line ?? r.line}" time="${r.wallSeconds.toFixed(3)}">`,
      );
      if (r.error) out.push(`      <error message="${xml(r.error)}"/>`);
      else if (r.failure)
        out.push(
          `      <failure message="${xml(`expected ${r.failure.expected}, got ${r.failure.actual}`)}" type="scenario">${xml(resultLine(r))}</failure>`,
        );
      out.push(
        `      <system-out>emulated ${r.emulatedSeconds.toFixed(6)} s</system-out>`,
        "    </testcase>",
      );
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>", "");
  return out.join("\n");
}
