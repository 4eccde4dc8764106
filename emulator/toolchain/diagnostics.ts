// asc's diagnostics as a C compiler prints them: "file:line:col: error TS2322: message", the
// source line and a caret under the column, for every error (asc's own text puts the location
// last and trims the line's indentation).
import { readFileSync } from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "../paths.ts";

export interface Diagnostic {
  severity: "error" | "warning";
  code: string;
  message: string;
  /** Project-relative (or ~lib/...) file, 1-based line and column; absent for global errors. */
  file?: string;
  line?: number;
  column?: number;
  /** Length of the range asc marked (its ~~~ underline). */
  length: number;
}

/** Splits asc's stderr into diagnostics ("ERROR TS2304: ..." blocks ending in "└─ in file(l,c)"). */
export function parseAscDiagnostics(text: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  let current: Diagnostic | null = null;
  for (const line of text.split("\n")) {
    const head = /^(ERROR|WARNING) ([A-Z]+\d+): (.*)$/.exec(line.trim());
    if (head) {
      current = {
        severity: head[1] === "ERROR" ? "error" : "warning",
        code: head[2],
        message: head[3],
        length: 1,
      };
      out.push(current);
      continue;
    }
    if (!current) continue;
    const underline = /│\s*(~+)/.exec(line);
    if (underline && current.file === undefined) current.length = underline[1].length;
    const at = /└─ in (.+)\((\d+),(\d+)\)\s*$/.exec(line);
    if (at && current.file === undefined) {
      current.file = at[1];
      current.line = Number(at[2]);
      current.column = Number(at[3]);
    }
  }
  return out;
}

/** A file name as the user would type it: relative to the cwd for the project's files. */
function displayName(file: string): string {
  if (file.startsWith("~lib/")) return file;
  return path.relative(process.cwd(), path.resolve(PROJECT_ROOT, file)) || file;
}

function sourceLine(file: string, line: number): string | null {
  if (file.startsWith("~lib/")) return null;
  try {
    return (
      readFileSync(path.resolve(PROJECT_ROOT, file), "utf8")
        .split("\n")
        [line - 1]?.replace(/\r$/, "") ?? null
    );
  } catch {
    return null;
  }
}

/** One diagnostic: location and message, then the source line and a caret under the column. */
export function formatDiagnostic(d: Diagnostic): string {
  if (!d.file || !d.line || !d.column) return `${d.severity} ${d.code}: ${d.message}`;
  const lines = [
    `${displayName(d.file)}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}`,
  ];
  const src = sourceLine(d.file, d.line);
  if (src !== null) {
    const gutter = String(d.line).padStart(5);
    // Tabs stay tabs under the caret, so it lines up in any terminal.
    const pad = src.slice(0, d.column - 1).replace(/[^\t]/g, " ");
    const len = Math.max(1, Math.min(d.length, src.length - d.column + 1));
    lines.push(
      `${gutter} | ${src}`,
      `${" ".repeat(gutter.length)} | ${pad}^${"~".repeat(len - 1)}`,
    );
  }
  return lines.join("\n");
}
