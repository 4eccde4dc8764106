// Image sensor (as on NXP's EVKs: an OV7670/MT9M114-class module on CSI or SmartDMA) with one
// frame buffer in SRAM filled by DMA, fed from a CameraSource (image files). It outputs QQVGA,
// QVGA or VGA, or a centred window of one of them (a smaller frame buffer). The frame clock is
// an alarm on the board's clock: frame n is exposed at n / fps after start and lands in the
// buffer at the end of its readout, (n + 1) / fps, if the firmware is not holding the buffer.
// A frame that finds the buffer held, or that overwrites a frame nobody took, is dropped.
import { bufferReadCycles } from "../memory-hierarchy/stall-model.ts";
import type { BoardContext, Peripheral, PeripheralModule } from "./peripheral.ts";
import { LINE } from "./peripheral.ts";
import { openCameraSource, type CameraSource } from "../inputs/camera-source.ts";
import { CAMERA_ERR } from "../hal-constants.ts";
import { BYTES_PER_PIXEL, FORMAT_GREY8, FORMAT_RGB565 } from "../inputs/optics.ts";

/** Resolutions the sensor offers: QQVGA, QVGA, VGA. */
export const CAMERA_RESOLUTIONS: readonly (readonly [number, number])[] = [
  [160, 120],
  [320, 240],
  [640, 480],
];
/** Window sizes (for a smaller frame buffer) are multiples of this. */
export const WINDOW_STEP = 8;

/**
 * The sensor mode for a requested output size: a resolution itself (the full field), or a
 * centred window (the sensor's crop registers, as OV7670's HSTART/HSTOP) of the smallest
 * resolution that holds it. Null when no mode gives that size.
 */
export function sensorMode(
  width: number,
  height: number,
): { width: number; height: number } | null {
  if (!(width >= 16 && height >= 16 && width % WINDOW_STEP === 0 && height % WINDOW_STEP === 0))
    return null;
  const mode = CAMERA_RESOLUTIONS.find(([w, h]) => width <= w && height <= h);
  return mode ? { width: mode[0], height: mode[1] } : null;
}
/** Frame rates the sensor's PLL dividers give. */
export const CAMERA_FPS = [1, 2, 5, 10, 15, 20, 25, 30, 60];

export { CAMERA_ERR };

type BufferState = "free" | "full" | "held";

export class Camera implements Peripheral {
  readonly module = "tinyboard:hal/camera@0.1.0";
  private width = 0;
  private height = 0;
  private format = FORMAT_GREY8;
  private fps = 30;
  private framebuf = 0;
  private configured = false;
  private running = false;
  private startCycle = 0;
  private nextFrame = 0; // sequence number of the frame being read out
  private buffer: BufferState = "free";
  private seq = -1; // sequence number of the frame in the buffer
  private captured = 0;
  private droppedCount = 0;
  private taken = 0;

  /** Register writes over SCCB and the DMA descriptor set-up (the board file's timing). */
  private readonly driverCycles: number;

  constructor(
    private readonly ctx: BoardContext,
    private readonly source: CameraSource | null,
    /** Region app.json places the frame buffer in (undefined: zero-wait, as before). */
    private readonly frameRegion?: string,
  ) {
    this.driverCycles = ctx.target.board.timing.cameraDriverCycles.value;
  }

  get frameBytes(): number {
    return this.width * this.height * BYTES_PER_PIXEL[this.format];
  }

  private frameEndCycle(n: number): number {
    return this.startCycle + Math.round(((n + 1) * this.ctx.clock.hz) / this.fps);
  }

  private schedule(): void {
    if (!this.running) return;
    this.ctx.clock.setAlarm(this, this.frameEndCycle(this.nextFrame), () => this.frameDone());
  }

  /** The end of frame `nextFrame`'s readout: DMA into the buffer, or a dropped frame. */
  private frameDone(): void {
    const n = this.nextFrame++;
    const events = this.ctx.events,
      now = this.ctx.clock.now;
    const tell = events.listenerCount("peripheral") > 0; // the trace's view; free when nobody listens
    if (this.buffer === "held") {
      this.droppedCount++;
      if (tell) events.emit("peripheral", "camera", `frame ${n} dropped (buffer held)`, now, now);
    } else {
      if (this.buffer === "full") {
        this.droppedCount++; // never taken, now overwritten
        if (tell)
          events.emit("peripheral", "camera", `frame ${this.seq} dropped (never taken)`, now, now);
      }
      const dst = this.ctx.memory().writable("camera DMA", this.framebuf, this.frameBytes);
      if (this.source) {
        // The exposure instant, on the board's clock for a scene shared with the microphones.
        const t =
          n / this.fps +
          (this.source.timeline === "board" ? this.startCycle / this.ctx.clock.hz : 0);
        const mode = sensorMode(this.width, this.height)!;
        const full = this.source.frame(
          this.source.pictureAt(t),
          mode.width,
          mode.height,
          this.format,
          n,
        );
        if (mode.width === this.width && mode.height === this.height) dst.set(full);
        else
          copyWindow(
            full,
            mode.width,
            mode.height,
            dst,
            this.width,
            this.height,
            BYTES_PER_PIXEL[this.format],
          );
      } else {
        dst.fill(0); // no input: the lens cap is on
      }
      this.buffer = "full";
      this.seq = n;
      this.captured++;
      if (tell)
        events.emit(
          "peripheral",
          "camera",
          `frame ${n} DMA`,
          n === 0 ? this.startCycle : this.frameEndCycle(n - 1),
          now,
        );
      this.ctx.raise(LINE.camera);
    }
    this.schedule();
  }

  imports() {
    const ctx = this.ctx;
    return {
      configure: (width: number, height: number, format: number, fps: number, framebuf: number) => {
        ctx.busy(this.driverCycles);
        if (this.running) return CAMERA_ERR.running;
        if (!sensorMode(width, height)) return CAMERA_ERR.resolution;
        if (format !== FORMAT_GREY8 && format !== FORMAT_RGB565) return CAMERA_ERR.format;
        if (!CAMERA_FPS.includes(fps)) return CAMERA_ERR.fps;
        // The DMA target must be SRAM the firmware owns: a bad one is a fault now, not later.
        ctx
          .memory()
          .check("camera.configure", framebuf, width * height * BYTES_PER_PIXEL[format], true);
        Object.assign(this, {
          width,
          height,
          format,
          fps,
          framebuf: framebuf >>> 0,
          configured: true,
        });
        return 0;
      },
      start: () => {
        ctx.busy(this.driverCycles);
        if (this.running || !this.configured) return;
        this.running = true;
        this.startCycle = ctx.clock.now;
        this.nextFrame = 0;
        this.buffer = "free";
        this.seq = -1;
        ctx.lower(LINE.camera);
        this.schedule();
      },
      stop: () => {
        ctx.busy(this.driverCycles);
        ctx.sync();
        this.running = false;
        ctx.clock.clearAlarm(this);
      },
      "take-frame": () => {
        ctx.sync();
        if (this.buffer !== "full") return -1;
        this.buffer = "held";
        this.taken++;
        // The firmware reads the new frame once, cache-cold (the driver invalidated its lines
        // after the DMA): charged here, where it takes the frame.
        if (this.frameRegion)
          ctx.busy(bufferReadCycles(this.frameBytes, this.frameRegion, ctx.target));
        ctx.lower(LINE.camera);
        return this.seq;
      },
      "release-frame": () => {
        if (this.buffer === "held") this.buffer = "free";
      },
      dropped: () => {
        ctx.sync();
        return this.droppedCount;
      },
    };
  }

  /** Left out of the summary of firmware that never configured the camera. */
  stats() {
    if (!this.configured) return undefined;
    return {
      cameraFrames: this.captured,
      cameraTaken: this.taken,
      cameraDropped: this.droppedCount,
    };
  }
}

/** The centred w x h window of a full frame, as the sensor's crop registers read it out. */
function copyWindow(
  full: Uint8Array,
  fullW: number,
  fullH: number,
  dst: Uint8Array,
  w: number,
  h: number,
  bpp: number,
): void {
  const left = (fullW - w) >> 1;
  const top = (fullH - h) >> 1;
  for (let y = 0; y < h; y++) {
    const from = ((top + y) * fullW + left) * bpp;
    dst.set(full.subarray(from, from + w * bpp), y * w * bpp);
  }
}

export const cameraPeripheral: PeripheralModule = {
  name: "camera",
  wit: "camera",
  lines: [LINE.camera],
  stats: ["cameraFrames", "cameraTaken", "cameraDropped"],
  timing: ["cameraDriverCycles"],
  input: { example: "photos/,fps=2", open: (spec) => openCameraSource(spec) },
  create: (ctx, setup) =>
    new Camera(
      ctx,
      setup.sources.camera ?? (setup.inputs.camera ? openCameraSource(setup.inputs.camera) : null),
      setup.placement?.frameBuffer?.region,
    ),
};
