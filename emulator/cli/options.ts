// Numeric command-line options, checked as they are parsed: `-1`, `abc`, `NaN`, `Infinity`
// and `1e400` are one-line usage errors, not silently ignored or run forever.
import { InvalidArgumentError } from "commander";
import { UserError } from "../errors.ts";

/**
 * Longest run without --forever, in emulated seconds (one emulated hour). Beyond it a typo
 * (`--seconds 1e12`) or an image's default would keep the host busy for days.
 */
export const MAX_EMULATED_SECONDS = 3600;

function number(text: string, what: string): number {
  const t = text.trim();
  // Number("") is 0 and Number("0x10") is 16: accept plain decimal notation only.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t))
    throw new InvalidArgumentError(`${what} must be a number, not '${text}'.`);
  const n = Number(t);
  if (!Number.isFinite(n))
    throw new InvalidArgumentError(`${what} must be a finite number, not '${text}'.`);
  return n;
}

/** Emulated seconds: positive, at most MAX_EMULATED_SECONDS (checked with --forever later). */
export function parseSeconds(text: string): number {
  const n = number(text, "seconds");
  if (!(n > 0)) throw new InvalidArgumentError(`seconds must be positive, not '${text}'.`);
  return n;
}

/** Watchdog timeout in ms: a whole number from 1 to 2^32-1 (hal clock.watchdog-start's u32). */
export function parseWatchdogMs(text: string): number {
  const n = number(text, "watchdog milliseconds");
  if (!Number.isInteger(n) || n < 1 || n > 0xffffffff)
    throw new InvalidArgumentError(
      `watchdog must be a whole number of milliseconds from 1 to 4294967295, not '${text}'.`,
    );
  return n;
}

/** Processes side by side (demo --jobs): a whole number from 1 to 64. */
export function parseJobs(text: string): number {
  const n = number(text, "jobs");
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new InvalidArgumentError(`jobs must be a whole number from 1 to 64, not '${text}'.`);
  return n;
}

/** A cycle budget: a whole number of cycles from 1 to 2^53. */
export function parseCycles(text: string): number {
  const n = number(text, "cycles");
  if (!Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError(
      `cycles must be a whole number from 1 to ${Number.MAX_SAFE_INTEGER}, not '${text}'.`,
    );
  return n;
}

/** The run length: the user's or the image's, capped unless --forever. */
export function runSeconds(
  given: number | undefined,
  imageDefault: number,
  forever: boolean | undefined,
): number {
  if (forever) return given ?? Infinity;
  const seconds = given ?? imageDefault;
  if (seconds > MAX_EMULATED_SECONDS) {
    throw new UserError(
      `${given === undefined ? "the image's default run" : "--seconds"} of ${seconds} s is longer than the ${MAX_EMULATED_SECONDS} s a run may last: give --seconds up to ${MAX_EMULATED_SECONDS}, or --forever`,
    );
  }
  return seconds;
}
