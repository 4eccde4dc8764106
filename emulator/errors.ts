// Errors a user can act on: the CLI prints their message as one line and exits non-zero.
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    readonly detail?: string,
  ) {
    super(message);
    this.name = "UserError";
  }
}

/** Formats byte counts the way GNU ld's memory report does (B, KB, MB, GB). */
export function formatBytes(n: number): string {
  if (n >= 1 << 30 && n % (1 << 30) === 0) return `${n / (1 << 30)} GB`;
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)} MB`;
  if (n >= 1 << 10 && n % (1 << 10) === 0) return `${n / (1 << 10)} KB`;
  return `${n} B`;
}

/** Rounds up to a whole KB figure for messages ("needs 640 KB"). */
export function kb(n: number): string {
  return `${Math.ceil(n / 1024)} KB`;
}
