// TFLM's micro_speech audio front end, bit for bit, as a streaming block: push 16 kHz int16
// audio in blocks of any size up to one hop (320 samples; the microphone's 10 ms buffers are
// 160), and every 20 ms of audio, once the first 30 ms have arrived, a frame of 40 int8
// features is ready: window → Q15 FFT → mel filter bank → noise reduction → PCAN → log.
// All buffers are allocated once here; a frame allocates nothing. See docs/micro-frontend.md.
import { WINDOW_SAMPLES, hannQ12, applyWindow } from "./window";
import { RfftQ15 } from "./rfft-q15";
import { CHANNELS, FilterBank } from "./filter-bank";
import { NoiseReduction } from "./noise-reduction";
import { Pcan } from "./pcan";
import { logScaleToInt8 } from "./log-scale";

export const FEATURES: i32 = CHANNELS;
export const HOP_SAMPLES: i32 = 320; // 20 ms
export const SAMPLE_RATE: i32 = 16000;
const FFT_SIZE: i32 = 512;
const FFT_SIZE_LOG2: u32 = 9;
const SMOOTHING_BITS: i32 = 10;
// The filter bank's Q12 weights leave 2·6 extra bits in energy; half survive the square root.
const CORRECTION_BITS: u32 = FFT_SIZE_LOG2 - 12 / 2;
const PCAN_SNR_SHIFT: u32 = 21 - CORRECTION_BITS - 12;

export class MicroFrontend {
  /** The 40 int8 features of the latest frame. */
  readonly features: usize = heap.alloc(<usize>FEATURES);
  /** Frames produced since the last reset. */
  frames: u32 = 0;
  /** The last frame's FFT auto-scale shift (0..15), for inspection. */
  shift: i32 = 0;

  private readonly samples: usize = heap.alloc(<usize>WINDOW_SAMPLES << 1);
  private filled: i32 = 0;
  private readonly window: usize = heap.alloc(<usize>WINDOW_SAMPLES << 1);
  private readonly frame: usize = heap.alloc(<usize>FFT_SIZE << 1);
  private readonly spectrum: usize = heap.alloc(<usize>(FFT_SIZE / 2 + 1) << 2);
  private readonly fft: RfftQ15 = new RfftQ15();
  private readonly bank: FilterBank = new FilterBank(FFT_SIZE);
  private readonly noise: NoiseReduction = new NoiseReduction(CHANNELS);
  private readonly pcan: Pcan = new Pcan(SMOOTHING_BITS - <i32>CORRECTION_BITS, PCAN_SNR_SHIFT);

  constructor() {
    hannQ12(this.window);
  }

  /** Forgets buffered audio and the noise estimate: the next frame is a stream's first. */
  reset(): void {
    this.filled = 0;
    this.frames = 0;
    this.noise.reset();
  }

  /**
   * Appends `count` (at most HOP_SAMPLES) int16 samples from `at`. Returns true when they
   * completed a frame: `features` then holds it, until the next push that completes one.
   */
  push(at: usize, count: i32): bool {
    assert(count >= 0 && count <= HOP_SAMPLES, "micro-frontend: push at most 320 samples at a time");
    const take = min(count, WINDOW_SAMPLES - this.filled);
    memory.copy(this.samples + (<usize>this.filled << 1), at, <usize>take << 1);
    this.filled += take;
    if (this.filled < WINDOW_SAMPLES) return false;
    this.compute();
    // Keep the last 10 ms as the start of the next window, then the rest of this block.
    const keep = WINDOW_SAMPLES - HOP_SAMPLES;
    memory.copy(this.samples, this.samples + (<usize>HOP_SAMPLES << 1), <usize>keep << 1);
    memory.copy(this.samples + (<usize>keep << 1), at + (<usize>take << 1), <usize>(count - take) << 1);
    this.filled = keep + count - take;
    return true;
  }

  private compute(): void {
    const shift = applyWindow(this.samples, this.window, this.frame, FFT_SIZE);
    this.shift = shift;
    this.fft.transform(this.frame, shift, this.spectrum);
    const bank = this.bank;
    bank.apply(this.spectrum, shift);
    this.noise.apply(bank.out);
    this.pcan.apply(bank.out, this.noise.estimate, CHANNELS);
    logScaleToInt8(bank.out, CORRECTION_BITS, this.features, CHANNELS);
    this.frames++;
  }
}
