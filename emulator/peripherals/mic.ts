// Microphones with DMA ping-pong buffers (tinyboard:hal/mic), in the two forms the silicon has:
//  - PDM receiver (MICFIL on RT1170, MCX N947): each microphone's bit stream is decimated in
//    the peripheral (mic/decimator.ts) to int16 PCM;
//  - SAI bit stream (RT1060): the packed PDM bits themselves land in memory; firmware decimates.
// The bits come from each microphone's own sigma-delta modulator (mic/channel-path.ts) fed by a
// MicSource. Buffer k covers [k, k+1) block periods after start and lands at the end of its
// period plus the DMA's last burst, on an alarm of the board's clock; the buffers alternate
// a, b, a, ... A filled buffer overwritten before the firmware took it is an overrun.
import type { BoardContext, Peripheral, PeripheralModule } from "./peripheral.ts";
import { openMicSource } from "../inputs/mic-input.ts";
import { LINE } from "./peripheral.ts";
import type { MicSource } from "../inputs/mic-source.ts";
import type { MicLayout } from "./mic/array.ts";
import { MicChannelPath } from "./mic/channel-path.ts";
import { PdmDecimator } from "./mic/decimator.ts";
import { UserError } from "../errors.ts";
import { MIC_ERR, MIC_KIND } from "../hal-constants.ts";

export const PCM_RATES_HZ = [8000, 16000, 32000, 48000];
/** PDM clocks the SAI path takes (MEMS microphones run at 1.0–3.25 MHz). */
export const PDM_CLOCKS_HZ = [1_024_000, 2_048_000, 3_072_000];
/** The PDM clock MICFIL runs the microphones at for each output rate: 128·fs up to 16 kHz, 64·fs above. */
export const pdmClockForRate = (rate: number) => rate * (rate <= 16000 ? 128 : 64);
export const MAX_BLOCK_MS = 100;
export { MIC_ERR };

type Mode = "pcm" | "pdm";

export class Microphones implements Peripheral {
  readonly module = "tinyboard:hal/mic@0.1.0";
  private mode: Mode | null = null;
  private channels = 0;
  private rateHz = 0;
  private pdmClockHz = 0;
  private blockMs = 0;
  private bufs: [number, number] = [0, 0];
  private running = false;
  private startCycle = 0;
  private nextBlock = 0;
  private filled: number[] = []; // buffer indices filled and not taken, oldest first
  private paths: MicChannelPath[] = [];
  private decimators: PdmDecimator[] = [];
  private bits = new Uint8Array(0);
  private pcm = new Int16Array(0);
  private buffersFilled = 0;
  private taken = 0;
  private overrunCount = 0;

  constructor(
    private readonly ctx: BoardContext,
    private readonly layout: MicLayout,
    private readonly source: MicSource | null,
  ) {}

  /** Bytes of one buffer in the configured mode. */
  get bufferBytes(): number {
    if (this.mode === "pcm") return this.channels * this.samplesPerChannel * 2;
    return this.channels * this.bytesPerChannel;
  }
  private get samplesPerChannel(): number {
    return (this.rateHz * this.blockMs) / 1000;
  }
  private get bytesPerChannel(): number {
    return (this.pdmClockHz * this.blockMs) / 8000;
  }
  private get spec() {
    return this.ctx.target.board.microphones!;
  }

  private blockEndCycle(k: number): number {
    return this.startCycle + Math.round(((k + 1) * this.blockMs * this.ctx.clock.hz) / 1000);
  }
  // The DMA's last burst after a buffer's final sample: the FIFO watermark's words per channel.
  private dmaCycles(): number {
    const watermark = this.ctx.target.board.timing.micFifoWatermarkWords.value;
    const words =
      this.mode === "pcm"
        ? this.channels * watermark
        : Math.min(this.channels * watermark, this.bytesPerChannel / 4);
    return Math.ceil(words * this.spec.dmaCyclesPerWord);
  }

  private schedule(): void {
    if (!this.running) return;
    this.ctx.clock.setAlarm(this, this.blockEndCycle(this.nextBlock) + this.dmaCycles(), (at) =>
      this.blockDone(at),
    );
  }

  /** The DMA has moved the last word of block `nextBlock` into its buffer, at cycle `now`
   *  (the alarm's instant: the board may notice later, at its next synchronisation). */
  private blockDone(now: number): void {
    const k = this.nextBlock++;
    const index = k & 1;
    const events = this.ctx.events;
    const tell = events.listenerCount("peripheral") > 0;
    const waiting = this.filled.indexOf(index);
    if (waiting >= 0) {
      this.filled.splice(waiting, 1);
      this.overrunCount++;
      if (tell)
        events.emit(
          "peripheral",
          "mic",
          `buffer ${"ab"[index]} overrun (block ${k - 2} never taken)`,
          now,
          now,
        );
    }
    this.fill(this.ctx.memory().writable("mic DMA", this.bufs[index], this.bufferBytes));
    this.filled.push(index);
    this.buffersFilled++;
    if (tell)
      events.emit(
        "peripheral",
        "mic",
        `buffer ${"ab"[index]} DMA (block ${k}, ${this.channels} ch)`,
        k === 0 ? this.startCycle : this.blockEndCycle(k - 1),
        now,
      );
    this.ctx.raise(LINE.mic);
    this.schedule();
  }

  /** One block of every channel into `dst`, in the mode's planar layout. */
  private fill(dst: Uint8Array): void {
    const bpc = this.bytesPerChannel;
    if (this.mode === "pdm") {
      for (let c = 0; c < this.channels; c++) this.paths[c].next(bpc * 8, dst, c * bpc);
      return;
    }
    const spc = this.samplesPerChannel;
    for (let c = 0; c < this.channels; c++) {
      this.paths[c].next(bpc * 8, this.bits, 0);
      const n = this.decimators[c].decimate(this.bits, this.pcm, 0);
      if (n !== spc) throw new Error(`mic: decimator gave ${n} samples for ${spc}`);
      dst.set(new Uint8Array(this.pcm.buffer, 0, spc * 2), c * spc * 2); // little-endian host, as the silicon
    }
  }

  private configure(
    mode: Mode,
    channels: number,
    rateOrClock: number,
    blockMs: number,
    bufA: number,
    bufB: number,
  ): number {
    const ctx = this.ctx;
    ctx.busy(this.layout.kind ? this.spec.driverCycles : 0);
    if (this.layout.kind !== (mode === "pcm" ? MIC_KIND.pdmReceiver : MIC_KIND.saiBitstream))
      return MIC_ERR.wrongKind;
    if (mode === "pcm" ? !PCM_RATES_HZ.includes(rateOrClock) : !PDM_CLOCKS_HZ.includes(rateOrClock))
      return MIC_ERR.rate;
    if (!(blockMs >= 1 && blockMs <= MAX_BLOCK_MS)) return MIC_ERR.block;
    if (this.running) return MIC_ERR.running;
    if (channels < 1) return MIC_ERR.channels;
    const have = this.layout.mics.length;
    if (channels > have) {
      const { boardCount, addOn } = this.layout;
      throw new UserError(
        `the firmware configures ${channels} microphone channels; ${ctx.target.board.id} has ${have} (${boardCount} on the board${addOn ? ` + ${addOn.mics.length} on the add-on array ${addOn.name}` : ", no add-on array: attach one with --mic-array"})`,
      );
    }
    this.mode = mode;
    this.channels = channels;
    this.blockMs = blockMs;
    this.rateHz = mode === "pcm" ? rateOrClock : 0;
    this.pdmClockHz = mode === "pcm" ? pdmClockForRate(rateOrClock) : rateOrClock;
    // The DMA targets must be SRAM the firmware owns: a bad one is a fault now, not later.
    ctx.memory().check("mic.configure", bufA, this.bufferBytes, true);
    ctx.memory().check("mic.configure", bufB, this.bufferBytes, true);
    this.bufs = [bufA >>> 0, bufB >>> 0];
    return 0;
  }

  imports() {
    const ctx = this.ctx;
    const positionBytes = new Float32Array(3);
    return {
      kind: () => this.layout.kind,
      count: () => this.layout.mics.length,
      position: (index: number, ptr: number) => {
        const m = this.layout.mics[index >>> 0];
        if (!m) return -1;
        positionBytes.set(m.positionMm);
        ctx.memory().writable("mic.position", ptr, 12).set(new Uint8Array(positionBytes.buffer));
        return 0;
      },
      "configure-pcm": (
        channels: number,
        rateHz: number,
        blockMs: number,
        bufA: number,
        bufB: number,
      ) => this.configure("pcm", channels >>> 0, rateHz >>> 0, blockMs >>> 0, bufA, bufB),
      "configure-pdm": (
        channels: number,
        clockHz: number,
        blockMs: number,
        bufA: number,
        bufB: number,
      ) => this.configure("pdm", channels >>> 0, clockHz >>> 0, blockMs >>> 0, bufA, bufB),
      start: () => {
        if (this.running || !this.mode) return;
        ctx.busy(this.spec.driverCycles);
        this.running = true;
        this.startCycle = ctx.clock.now;
        this.nextBlock = 0;
        this.filled = [];
        // The microphones power up with the clock: fresh modulators and filters.
        const source =
          this.source?.timeline === "board"
            ? fromBoardTime(
                this.source,
                Math.round((this.startCycle / ctx.clock.hz) * this.source.sampleRate),
              )
            : this.source;
        this.paths = Array.from(
          { length: this.channels },
          (_, c) =>
            new MicChannelPath(source ?? SILENCE, source ? c : 0, this.pdmClockHz, 0x5eed + c),
        );
        if (this.mode === "pcm") {
          const osr = this.pdmClockHz / this.rateHz;
          this.decimators = Array.from(
            { length: this.channels },
            () => new PdmDecimator({ oversampling: osr }),
          );
          this.bits = new Uint8Array(this.bytesPerChannel);
          this.pcm = new Int16Array(this.samplesPerChannel);
        }
        ctx.lower(LINE.mic);
        this.schedule();
      },
      stop: () => {
        if (!this.running) return;
        ctx.busy(this.spec.driverCycles);
        ctx.sync();
        this.running = false;
        ctx.clock.clearAlarm(this);
      },
      "take-buffer": () => {
        ctx.sync();
        const index = this.filled.shift();
        if (this.filled.length === 0) ctx.lower(LINE.mic);
        if (index === undefined) return -1;
        this.taken++;
        return index;
      },
      overruns: () => {
        ctx.sync();
        return this.overrunCount;
      },
    };
  }

  /** Left out of the summary of firmware that never configured the microphones. */
  stats() {
    if (!this.mode) return undefined;
    const clipped = this.decimators.reduce((s, d) => s + d.clipped, 0);
    return {
      micChannels: this.channels,
      micRunning: this.running ? 1 : 0,
      micBuffers: this.buffersFilled,
      micTaken: this.taken,
      micOverruns: this.overrunCount,
      ...(this.mode === "pcm"
        ? { micRateHz: this.rateHz, micClippedSamples: clipped }
        : { micPdmClockHz: this.pdmClockHz }),
    };
  }
}

/** No mic input: the room is silent, the microphones hear only their own noise. */
const SILENCE: MicSource = {
  channels: 1,
  sampleRate: 16000,
  description: "silence",
  read: (_c, _s, out) => out.fill(0),
};

export const micPeripheral: PeripheralModule = {
  name: "mic",
  wit: "mic",
  lines: [LINE.mic],
  stats: [
    "micChannels",
    "micRunning",
    "micBuffers",
    "micTaken",
    "micOverruns",
    "micRateHz",
    "micClippedSamples",
    "micPdmClockHz",
  ],
  timing: ["micFifoWatermarkWords"],
  input: { example: "clip.wav", open: (spec, setup) => openMicSource(spec, setup.mics) },
  create: (ctx, setup) =>
    new Microphones(
      ctx,
      setup.mics,
      setup.sources.mic ?? (setup.inputs.mic ? openMicSource(setup.inputs.mic, setup.mics) : null),
    ),
};
/** A board-timeline source as the microphones read it: their sample 0 is the board's sample `offset`. */
function fromBoardTime(source: MicSource, offset: number): MicSource {
  return {
    channels: source.channels,
    sampleRate: source.sampleRate,
    description: source.description,
    read: (ch, start, out) => source.read(ch, start + offset, out),
  };
}
