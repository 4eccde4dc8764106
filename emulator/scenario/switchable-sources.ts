// Inputs a scenario can change mid-run: each wraps the source playing now and the sensor time
// it was switched in at, so a trace, clip or picture sequence plays from its beginning then.
// Peripherals ask for samples by their own time (since the sensor started), in order: the last
// time asked for is "now" on that clock, to within one sample or frame.
import type { AccelSource } from "../inputs/accel-source.ts";
import type { CameraSource } from "../inputs/camera-source.ts";
import type { MicSource } from "../inputs/mic-source.ts";
import { UserError } from "../errors.ts";

export class SwitchableAccel implements AccelSource {
  private startS = 0;
  private lastT = 0;
  readonly durationSeconds = Infinity;
  constructor(private source: AccelSource) {}

  get description(): string {
    return this.source.description;
  }

  switchTo(source: AccelSource): void {
    this.source = source;
    this.startS = this.lastT;
  }

  sampleAt(tSeconds: number, out: Float64Array): void {
    this.lastT = tSeconds;
    this.source.sampleAt(Math.max(0, tSeconds - this.startS), out);
  }
}

export class SwitchableCamera implements CameraSource {
  private startS = 0;
  private lastT = -1;
  constructor(private source: CameraSource | null) {}

  get description(): string {
    return this.source?.description ?? "no picture (lens cap on)";
  }

  get files(): readonly string[] {
    return this.source?.files ?? [];
  }

  /** The next frame exposed shows the new source's first picture. */
  switchTo(source: CameraSource): void {
    this.source = source;
    this.startS = this.lastT < 0 ? 0 : this.lastT + 1e-9;
  }

  pictureAt(tSeconds: number): number {
    this.lastT = tSeconds;
    return this.source ? this.source.pictureAt(Math.max(0, tSeconds - this.startS)) : 0;
  }

  frame(
    index: number,
    width: number,
    height: number,
    format: number,
    sensorFrame?: number,
  ): Uint8Array {
    if (this.source) return this.source.frame(index, width, height, format, sensorFrame);
    return new Uint8Array(width * height * (format === 0 ? 1 : 2));
  }
}

/** Microphones hear a new clip or scene from the instant it is switched in. The rate and channel
 *  count are fixed when the peripheral starts, so a new source must match the first one's. */
export class SwitchableMic implements MicSource {
  private startSample = 0;
  private previous: { source: MicSource; start: number } | null = null;
  private lastEnd = 0;
  readonly channels: number;
  readonly sampleRate: number;
  constructor(private source: MicSource) {
    this.channels = source.channels;
    this.sampleRate = source.sampleRate;
  }

  get description(): string {
    return this.source.description;
  }

  switchTo(source: MicSource): void {
    if (source.sampleRate !== this.sampleRate || source.channels !== this.channels) {
      throw new UserError(
        `mic input ${source.description}: ${source.sampleRate} Hz, ${source.channels} channel(s); this run's microphones play ${this.sampleRate} Hz, ${this.channels} channel(s) (switch between sources of one rate)`,
      );
    }
    this.previous = { source: this.source, start: this.startSample };
    this.source = source;
    this.startSample = this.lastEnd;
  }

  read(channel: number, start: number, out: Float64Array): void {
    this.lastEnd = Math.max(this.lastEnd, start + out.length);
    const rel = start - this.startSample;
    if (rel >= 0 || !this.previous) return this.source.read(channel, Math.max(0, rel), out);
    // Samples from before the switch (a channel catching up): the old source's.
    this.previous.source.read(channel, start - this.previous.start, out);
  }
}
