// 3-axis accelerometer with a 32-sample FIFO, fed from an AccelSource (CSV trace or
// generator). Samples are produced lazily at their exact instants whenever the board
// synchronises; a full FIFO drops new samples and counts an overrun.
import type { BoardContext, Peripheral, PeripheralModule } from "./peripheral.ts";
import { LINE } from "./peripheral.ts";
import { ACCEL_ERR } from "../hal-constants.ts";
import { openAccelSource, type AccelSource } from "../inputs/accel-source.ts";

export const ACCEL_RATES_HZ = [10, 25, 50, 100, 200, 400, 800, 1600, 3200];
export const ACCEL_RANGES_G = [2, 4, 8, 16];
export const FIFO_DEPTH = 32;

export class Accelerometer implements Peripheral {
  readonly module = "tinyboard:hal/accel@0.1.0";
  private rateHz = 100;
  private rangeG = 2;
  private watermark = 16;
  private running = false;
  private startCycle = 0;
  // Sample n is measured at n / rate after start and ready in the FIFO one period later.
  private nextIndex = 0; // index of the next sample to produce
  private readonly fifo = new Int16Array(FIFO_DEPTH * 3);
  private head = 0;
  private level = 0;
  private overrunCount = 0;
  private produced = 0;
  private readonly g = new Float64Array(3);

  // Driver and bus timing: the board file's, with their sources.
  private readonly driverCycles: number;
  private readonly i2cHz: number;

  constructor(
    private readonly ctx: BoardContext,
    private readonly source: AccelSource,
  ) {
    const t = ctx.target.board.timing;
    this.driverCycles = t.accelDriverCycles.value;
    this.i2cHz = t.i2cHz.value;
  }

  private sampleCycle(n: number): number {
    return this.startCycle + Math.round((n * this.ctx.clock.hz) / this.rateHz);
  }

  /** Produces every sample due by `now`. */
  private advance(now: number): void {
    if (!this.running) return;
    const scale = 32768 / this.rangeG;
    while (this.sampleCycle(this.nextIndex + 1) <= now) {
      const n = this.nextIndex++;
      this.produced++;
      if (this.level === FIFO_DEPTH) {
        this.overrunCount++;
        if (this.ctx.events.listenerCount("peripheral"))
          this.ctx.events.emit(
            "peripheral",
            "accel",
            "FIFO overrun (sample dropped)",
            this.sampleCycle(n + 1),
            this.sampleCycle(n + 1),
          );
        continue;
      }
      this.source.sampleAt(n / this.rateHz, this.g);
      const at = ((this.head + this.level) % FIFO_DEPTH) * 3;
      for (let i = 0; i < 3; i++)
        this.fifo[at + i] = Math.max(-32768, Math.min(32767, Math.round(this.g[i] * scale)));
      this.level++;
    }
    // Level-triggered, like the sensor's watermark interrupt pin.
    if (this.level >= this.watermark) this.ctx.raise(LINE.accel);
    else this.ctx.lower(LINE.accel);
    this.schedule();
  }

  // The next moment worth waking for: the FIFO reaching its watermark.
  private schedule(): void {
    if (!this.running || this.level >= this.watermark) {
      this.ctx.clock.clearAlarm(this);
      return;
    }
    const at = this.sampleCycle(this.nextIndex + (this.watermark - this.level));
    this.ctx.clock.setAlarm(this, at, (t) => this.advance(t));
  }

  imports() {
    const ctx = this.ctx;
    return {
      configure: (rateHz: number, rangeG: number, watermark: number) => {
        if (!ACCEL_RATES_HZ.includes(rateHz)) return ACCEL_ERR.rate;
        if (!ACCEL_RANGES_G.includes(rangeG)) return ACCEL_ERR.range;
        if (watermark < 1 || watermark > FIFO_DEPTH) return ACCEL_ERR.watermark;
        this.advance(ctx.clock.now);
        Object.assign(this, { rateHz, rangeG, watermark, level: 0, head: 0 });
        if (this.running) {
          this.startCycle = ctx.clock.now;
          this.nextIndex = 0;
        }
        ctx.busy(this.driverCycles);
        return 0;
      },
      start: () => {
        if (this.running) return;
        ctx.busy(this.driverCycles);
        this.running = true;
        this.startCycle = ctx.clock.now;
        this.nextIndex = 0;
        this.level = this.head = 0;
        this.schedule();
      },
      stop: () => {
        this.advance(ctx.clock.now);
        this.running = false;
        ctx.clock.clearAlarm(this);
      },
      "fifo-level": () => {
        ctx.sync();
        this.advance(ctx.clock.now);
        return this.level;
      },
      "read-fifo": (ptr: number, maxSamples: number) => {
        ctx.sync();
        this.advance(ctx.clock.now);
        const n = Math.min(maxSamples >>> 0, this.level);
        const dst = ctx.memory().writable("accel.read-fifo", ptr, n * 6);
        const view = new DataView(dst.buffer, dst.byteOffset, dst.byteLength);
        for (let i = 0; i < n; i++) {
          const at = this.head * 3;
          for (let a = 0; a < 3; a++) view.setInt16(i * 6 + a * 2, this.fifo[at + a], true);
          this.head = (this.head + 1) % FIFO_DEPTH;
        }
        this.level -= n;
        // The bus transfer: the driver sets it up, then the core waits for it (address and
        // register bytes, then 6 per sample; 9 clocks a byte with the ACK).
        ctx.busy(this.driverCycles);
        const start = ctx.clock.now;
        ctx.idleUntil(start + Math.round(((2 + 6 * n) * 9 * ctx.clock.hz) / this.i2cHz));
        if (ctx.events.listenerCount("peripheral"))
          ctx.events.emit("peripheral", "accel", `I2C read ${n} samples`, start, ctx.clock.now);
        this.advance(ctx.clock.now);
        return n;
      },
      overruns: () => {
        this.advance(ctx.clock.now);
        return this.overrunCount;
      },
    };
  }

  stats() {
    return { accelSamples: this.produced, accelOverruns: this.overrunCount };
  }
}

/** Without an --input the sensor lies still on the bench. */
const DEFAULT_INPUT = "gen:rest";

export const accelPeripheral: PeripheralModule = {
  name: "accel",
  wit: "accel",
  lines: [LINE.accel],
  stats: ["accelSamples", "accelOverruns"],
  timing: ["accelDriverCycles", "i2cHz"],
  input: {
    example: "trace.csv",
    open: (spec) => openAccelSource(spec),
    // Says what it assumed (a fixed-rate CSV without a rate is read at 200 Hz).
    describe: (source: AccelSource) => source.description,
  },
  create: (ctx, setup) =>
    new Accelerometer(
      ctx,
      setup.sources.accel ?? openAccelSource(setup.inputs.accel ?? DEFAULT_INPUT),
    ),
};
