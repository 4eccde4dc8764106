// Virtual time. Busy cycles are counted by the metered firmware (the exported `tb_cycles`
// global) plus the host-side cost of HAL calls; idle cycles are added when the firmware
// waits. Peripherals set alarms at absolute cycle counts; they fire at synchronisation
// points (every HAL call, and the loop-head checks of long-running code).

export interface Alarm {
  at: number;
  fire: (now: number) => void;
}

export class VirtualClock {
  /** Cycles spent in HAL drivers (host side), counted as busy time. */
  halCycles = 0;
  /** Cycles spent waiting (WFI). */
  idleCycles = 0;
  /** Firmware code cycles that modelled another unit's work (the NPU's datapath): not CPU time. */
  excludedCycles = 0;
  private readCodeCycles: () => number = () => 0;
  private readonly alarms = new Map<object, Alarm>();

  constructor(readonly hz: number) {}

  /** Connects the firmware's cycle counter. */
  attach(readCodeCycles: () => number): void {
    this.readCodeCycles = readCodeCycles;
  }

  get codeCycles(): number {
    return this.readCodeCycles() - this.excludedCycles;
  }

  get busyCycles(): number {
    return this.codeCycles + this.halCycles;
  }

  get now(): number {
    return this.codeCycles + this.halCycles + this.idleCycles;
  }

  cyclesFromUs(us: number): number {
    return Math.round((us * this.hz) / 1e6);
  }

  usFromCycles(cycles: number): number {
    return (cycles * 1e6) / this.hz;
  }

  /** Sets (or replaces) the one alarm of `owner`. */
  setAlarm(owner: object, at: number, fire: (now: number) => void): void {
    this.alarms.set(owner, { at, fire });
  }

  clearAlarm(owner: object): void {
    this.alarms.delete(owner);
  }

  nextAlarm(): number {
    let next = Infinity;
    for (const a of this.alarms.values()) if (a.at < next) next = a.at;
    return next;
  }

  /** Fires every alarm due at `now`, in time order (an alarm may set the next one). */
  fireDue(now: number): void {
    for (;;) {
      let due: [object, Alarm] | undefined;
      for (const entry of this.alarms)
        if (entry[1].at <= now && (!due || entry[1].at < due[1].at)) due = entry;
      if (!due) return;
      this.alarms.delete(due[0]);
      due[1].fire(due[1].at);
    }
  }

  /** Idles until `target` cycles, firing alarms on the way. */
  idleUntil(target: number): void {
    const now = this.now;
    if (target > now) this.idleCycles += target - now;
  }
}
