// One benchmark section: what it measures, how, and how its figures read. `npm run bench`
// runs a list of these (sections.ts); `npm run bench -- --only a,b` runs some and keeps the
// others' last figures, so one section can be measured again without the whole run.
export type Log = (msg: string) => void;

export interface BenchSection<R = any> {
  /** Key in results.json and for --only. */
  id: string;
  /** One line: what is measured. */
  title: string;
  run(log: Log): Promise<R>;
  /** The console table (plain text). */
  table(r: R): string;
  /** The README's lines for this section (markdown); none: console only. */
  markdown?(r: R): string;
  /** Writes the figures into the docs or app READMEs they belong to. */
  publish?(r: R): void;
}

/** Identity helper that keeps each section's result type checked. */
export const section = <R>(s: BenchSection<R>): BenchSection<R> => s;

export const x = (f: number): string => `${f.toFixed(f >= 100 ? 0 : f >= 10 ? 1 : 2)}x`;
export const pct = (f: number): string => `${(f * 100).toFixed(2)} %`;
export const mega = (n: number): string => `${(n / 1e6).toFixed(1)} M`;
export const secs = (s: number): string => `${s.toFixed(3)} s`;

/** Columns aligned: the first left, the rest right. */
export function grid(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
