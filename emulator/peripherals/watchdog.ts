// The watchdog timer: once started, the board resets (a "watchdog" fault) unless the firmware
// feeds it within its timeout. The firmware reaches it through tinyboard:hal/clock
// (watchdog-start, watchdog-feed); the machine asks it for its deadline so that an idle board
// never sleeps past it, and checks it at every synchronisation point.
import { Fault } from "../faults.ts";

export class Watchdog {
  /** The cycle at which it bites (Infinity while stopped). */
  deadline = Infinity;
  private timeoutCycles = 0;

  constructor(private readonly hz: number) {}

  /** Arms it: it bites `timeoutCycles` after `now` unless fed. */
  start(timeoutCycles: number, now: number): void {
    this.timeoutCycles = timeoutCycles;
    this.deadline = now + timeoutCycles;
  }

  /** Restarts its count; does nothing while it was never started. */
  feed(now: number): void {
    if (this.timeoutCycles > 0) this.deadline = now + this.timeoutCycles;
  }

  /** Faults once `now` has reached the deadline. */
  check(now: number): void {
    if (now >= this.deadline) {
      throw new Fault(
        "watchdog",
        `watchdog expired (not fed for ${((this.timeoutCycles / this.hz) * 1000).toFixed(0)} ms)`,
      );
    }
  }
}
