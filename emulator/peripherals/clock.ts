// tinyboard:hal/clock: time, idle waits on event lines, and the watchdog's controls (the
// watchdog itself is watchdog.ts).
import type { BoardContext, MachineContext, Peripheral, PeripheralModule } from "./peripheral.ts";
import type { Watchdog } from "./watchdog.ts";

export interface ClockHost {
  /** Pending event lines; wait-event clears the ones it returns. */
  pending: number;
  readonly watchdog: Watchdog;
}

export class ClockHal implements Peripheral {
  readonly module = "tinyboard:hal/clock@0.1.0";

  constructor(
    private readonly ctx: BoardContext,
    private readonly host: ClockHost,
  ) {}

  imports() {
    const { ctx, host } = this;
    const clock = ctx.clock;
    return {
      "now-us": () => {
        ctx.sync();
        return BigInt(Math.floor(clock.usFromCycles(clock.now)));
      },
      cycles: () => {
        ctx.sync();
        return BigInt(clock.now);
      },
      "core-hz": () => clock.hz,
      // u64 arguments arrive as signed i64 BigInts: read them unsigned (u64.MAX_VALUE = never).
      "sleep-until-us": (tUs: bigint) => {
        ctx.idleUntil(clock.cyclesFromUs(Number(BigInt.asUintN(64, tUs))));
      },
      "wait-event": (mask: number, deadlineUs: bigint) => {
        const deadline = clock.cyclesFromUs(Number(BigInt.asUintN(64, deadlineUs)));
        for (;;) {
          ctx.sync();
          const hit = host.pending & mask;
          if (hit) {
            host.pending &= ~hit;
            return hit;
          }
          if (clock.now >= deadline) return 0;
          // Sleep to the next alarm (a peripheral event) or the deadline, whichever first.
          ctx.idleUntil(Math.min(deadline, clock.nextAlarm()));
        }
      },
      "watchdog-start": (timeoutMs: number) => {
        host.watchdog.start(clock.cyclesFromUs((timeoutMs >>> 0) * 1000), clock.now);
      },
      "watchdog-feed": () => {
        host.watchdog.feed(clock.now);
      },
    };
  }
}

export const clockPeripheral: PeripheralModule = {
  name: "clock",
  wit: "clock",
  lines: [], // nothing raises the timer line: sleep-until-us and wait-event deadlines wake the core
  stats: [],
  create: (ctx: MachineContext) => new ClockHal(ctx, ctx),
};
