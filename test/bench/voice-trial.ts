// How the voice-control benches score one request from the app's console: the wake line must
// come between the start of "marvin" and 0.5 s after the command starts (a later one no longer
// leaves the command in the listening window), and the command line is the first within 3.2 s
// after that wake line (the app listens 3 s; 0.2 s for the scoring interval). Used by the
// far-field bench, its accuracy comparison and the 10-minute session, so all three count alike.

export interface ConsoleLine {
  /** Emulated audio time of the line, seconds (its "[t s]" stamp). */
  t: number;
  text: string;
}

const LATE_WAKE_S = 0.5;
const LISTEN_S = 3.2;

/** The wake line and command line (if any) for "marvin" said at `wakeAt` and a command at `commandAt` (s). */
export function scoreTrial<L extends ConsoleLine>(
  lines: readonly L[],
  wakeAt: number,
  commandAt: number,
): { wake: L | undefined; command: L | undefined; heard: string | null } {
  const wake = lines.find(
    (l) => l.text.startsWith("wake marvin") && l.t >= wakeAt && l.t <= commandAt + LATE_WAKE_S,
  );
  const command = wake
    ? lines.find((l) => l.text.startsWith("command ") && l.t > wake.t && l.t <= wake.t + LISTEN_S)
    : undefined;
  return { wake, command, heard: command ? command.text.split(" ")[1] : null };
}
