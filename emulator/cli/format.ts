// Numbers as the CLI prints them: cycle counts grouped with an SI prefix and a space before the
// unit, real-time factors that stay readable from 0.0001x to 100000x.

/** "883,315 cycles", "600.00 M cycles", "1.20 G cycles". */
export function formatCycles(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G cycles`;
  if (n >= 1e7) return `${(n / 1e6).toFixed(2)} M cycles`;
  return `${Math.round(n).toLocaleString("en-US")} cycles`;
}

/** Emulated seconds per wall second: "175x real time", "0.0031x real time" (slower than real time). */
export function formatRealTime(factor: number, words = true): string {
  let x: string;
  if (!Number.isFinite(factor)) x = "-";
  else if (factor >= 10) x = Math.round(factor).toLocaleString("en-US");
  else if (factor >= 0.1) x = factor.toFixed(2);
  else x = factor.toPrecision(2);
  return words ? `${x}x real time` : `${x}x`;
}
