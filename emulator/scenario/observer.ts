// What a scenario watches on a running board: the console, LED toggles, inferences (model
// invocations from their layer events) and a fault. Expectations read it; waits subscribe to it.
import type { Machine } from "../machine.ts";
import type { FaultReport } from "../faults.ts";
import type { GpioEvent } from "../events.ts";

export class BoardObserver {
  console = "";
  /** Where the next console wait starts looking (a wait consumes what it matched). */
  consoleCursor = 0;
  readonly toggles: number[];
  /** Latency in cycles of each completed model invocation. */
  readonly latencies: number[] = [];
  fault: FaultReport | null = null;
  private inferenceStart = -1;
  private openLayers = 0;
  private lastEnd = 0;
  onConsole: (() => void) | null = null;
  onGpio: ((e: GpioEvent) => void) | null = null;
  onInference: (() => void) | null = null;

  constructor(private readonly machine: Machine) {
    this.toggles = machine.target.board.leds.map(() => 0);
    machine.events.on("console", (text) => {
      this.console += text;
      this.onConsole?.();
    });
    machine.events.on("gpio", (e) => {
      this.toggles[e.led]++;
      this.onGpio?.(e);
    });
    machine.events.on("layerBegin", (index, _op, cycles) => {
      if (index === 0) {
        this.closeInference();
        this.inferenceStart = cycles;
      }
      this.openLayers++;
    });
    machine.events.on("layerEnd", (_index, cycles) => {
      this.openLayers--;
      this.lastEnd = Math.max(this.lastEnd, cycles);
      // Invocations are closed when every layer begun has ended: the next layer 0 may be long.
      if (this.openLayers === 0) this.closeInference();
    });
    machine.events.on("fault", (f) => {
      this.fault = f;
    });
  }

  private closeInference(): void {
    if (this.inferenceStart < 0 || this.openLayers !== 0) return;
    this.latencies.push(this.lastEnd - this.inferenceStart);
    this.inferenceStart = -1;
    this.onInference?.();
  }

  get inferences(): number {
    return this.latencies.length;
  }

  get nowUs(): number {
    return this.machine.clock.usFromCycles(this.machine.clock.now);
  }

  /** The last `n` console lines (the unfinished one included). */
  tail(n: number): string[] {
    const lines = this.console.split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    return lines.slice(-n);
  }

  /** Index of an LED by number or name (case-insensitive), or an error message. */
  led(ref: number | string): number | string {
    const names = this.machine.target.board.leds;
    const i =
      typeof ref === "number" ? ref : names.findIndex((n) => n.toLowerCase() === ref.toLowerCase());
    if (i >= 0 && i < names.length) return i;
    return `${this.machine.target.board.id} has no LED ${typeof ref === "number" ? ref : `'${ref}'`} (LEDs: ${names.map((n, k) => `${k} ${n}`).join(", ")})`;
  }
}
