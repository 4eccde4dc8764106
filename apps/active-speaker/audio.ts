// The audio branch's input, as apps/active-speaker/train/features.ts makes it: every microphone
// of the array at 16 kHz in 20 ms DMA buffers (PCM from the PDM receiver, or on RT1060 the SAI
// bit stream decimated here by firmware/dsp/pdm.ts, each channel through its own decimator),
// and per 20 ms hop the log-mel energies of microphone 0's last 512 samples (Hann window, float
// FFT, power / 512, 32 HTK mel bands 60-7600 Hz, (ln(x + 1e-12) + 13.5) * 0.25, train/features.ts
// LOG_*); the newest 24 hops are kept in a ring. Every channel's spectrum of the same window is
// kept for the direction cue (direction.ts).
import * as mic from "../../hal/mic";
import { pdmBankBytes, pdmBankInit, pdmBankChannel, pdmDecimate } from "../../firmware/dsp/pdm";
import { hannWindow, applyWindow } from "../../firmware/dsp/window";
import { rfftTableBytes, rfftInitF32, rfftF32 } from "../../firmware/dsp/fft-f32";
import { powerSpectrumF32 } from "../../firmware/dsp/spectrum";
import { melTableBytes, melInit, melApply, logInPlace } from "../../firmware/dsp/mel";

export const RATE: u32 = 16000;
export const HOP: i32 = 320; // 20 ms: one DMA buffer
export const FFT: i32 = 512;
export const BANDS: i32 = 32;
export const HOPS: i32 = 24;
const BINS: i32 = FFT / 2 + 1;
const PDM_CLOCK: u32 = 2048000;
const PDM_RATIO: i32 = 128;
const PDM_BYTES: i32 = <i32>(PDM_CLOCK / 8 / 50); // 20 ms of one channel's bits

export class AudioFeatures {
  readonly pdm: bool;
  /** Microphones captured: every one the board and its add-on array have. */
  readonly channels: i32;
  private readonly bufA: usize;
  private readonly bufB: usize;
  private readonly pdmBytes: usize;
  private pdmState: usize = 0;
  private readonly samples: usize; // per channel the newest 512 samples, f32, oldest first
  /** Per channel the packed spectrum (rfftF32) of the window of the newest hop, channel 0 first. */
  readonly spectra: usize;
  /** Microphone 0's energy over the window (sum of squares), for the direction cue's level. */
  energy: f32 = 0;
  private readonly window: usize = heap.alloc(<usize>(FFT * 4));
  private readonly fftTable: usize;
  private readonly power: usize = heap.alloc(<usize>(BINS * 4));
  private readonly melTable: usize;
  readonly mel: usize = heap.alloc(<usize>(HOPS * BANDS * 4)); // ring of HOPS hops
  hops: i32 = 0;
  readonly hopSamples: i32 = HOP;

  constructor() {
    this.pdm = mic.kind() == mic.KIND_SAI_BITSTREAM;
    const channels = max(1, <i32>mic.count());
    this.channels = channels;
    const bytes = this.pdm ? mic.pdmBufferBytes(channels, PDM_CLOCK, 20) : mic.pcmBufferBytes(channels, RATE, 20);
    this.bufA = heap.alloc(bytes);
    this.bufB = heap.alloc(bytes);
    this.pdmBytes = <usize>(bytes / <u32>channels);
    if (this.pdm) {
      this.pdmState = heap.alloc(<usize>pdmBankBytes(PDM_RATIO, channels));
      pdmBankInit(this.pdmState, PDM_RATIO, channels);
    }
    this.samples = heap.alloc(<usize>(channels * FFT * 4));
    this.spectra = heap.alloc(<usize>(channels * FFT * 4));
    hannWindow(this.window, FFT, true);
    this.fftTable = heap.alloc(<usize>rfftTableBytes(FFT));
    rfftInitF32(FFT, this.fftTable);
    this.melTable = heap.alloc(<usize>melTableBytes(BINS));
    melInit(this.melTable, BINS, BANDS, <f64>RATE, 60, 7600);
    memory.fill(this.samples, 0, <usize>(channels * FFT * 4));
  }

  start(): i32 {
    const c = <u32>this.channels;
    const r = this.pdm ? mic.configurePdm(c, PDM_CLOCK, 20, this.bufA, this.bufB) : mic.configurePcm(c, RATE, 20, this.bufA, this.bufB);
    if (r != 0) return r;
    mic.start();
    return 0;
  }

  /** Takes a filled buffer if there is one and computes its hop; false when none was ready. */
  poll(): bool {
    const idx = mic.takeBuffer();
    if (idx < 0) return false;
    const buf = idx == 0 ? this.bufA : this.bufB;
    for (let c = 0; c < this.channels; c++) {
      // Shift the window by one hop and append the new samples.
      const win = this.samples + (<usize>(c * FFT) << 2);
      memory.copy(win, win + (<usize>HOP << 2), <usize>((FFT - HOP) * 4));
      const dst = win + (<usize>(FFT - HOP) << 2);
      if (this.pdm) pdmDecimate(pdmBankChannel(this.pdmState, PDM_RATIO, c), buf + this.pdmBytes * <usize>c, PDM_BYTES, dst, 0);
      else {
        const src = buf + (<usize>(c * HOP) << 1);
        for (let i = 0; i < HOP; i++) store<f32>(dst + (<usize>i << 2), <f32>load<i16>(src + (<usize>i << 1)) * (1.0 / 32768.0));
      }
      const spectrum = this.spectra + (<usize>(c * FFT) << 2);
      applyWindow(win, this.window, spectrum, FFT, FFT);
      rfftF32(FFT, this.fftTable, spectrum);
    }
    let e: f32 = 0;
    for (let i = 0; i < FFT; i++) { const x = load<f32>(this.samples + (<usize>i << 2)); e += x * x; }
    this.energy = e;
    const fftBuf = this.spectra;
    powerSpectrumF32(fftBuf, this.power, FFT, 1.0 / <f32>FFT);
    const out = this.mel + <usize>((this.hops % HOPS) * BANDS * 4);
    melApply(this.power, this.melTable, BINS, out, BANDS);
    logInPlace(out, BANDS, 1e-12);
    for (let b = 0; b < BANDS; b++) {
      const p = out + (<usize>b << 2);
      store<f32>(p, (load<f32>(p) + 13.5) * 0.25);
    }
    this.hops++;
    return true;
  }

  /** The newest hop's samples (f32, full scale 1), valid until the next poll. */
  newest(): usize {
    return this.samples + (<usize>(FFT - HOP) << 2);
  }

  /** The model's audio input [24, 1, 32] int8, oldest hop first. */
  quantizeInto(dst: usize, scale: f32, zeroPoint: i32): void {
    for (let j = 0; j < HOPS; j++) {
      const hop = this.mel + <usize>(((this.hops + j) % HOPS) * BANDS * 4);
      for (let b = 0; b < BANDS; b++) {
        const q = <i32>Mathf.round(load<f32>(hop + (<usize>b << 2)) / scale) + zeroPoint;
        store<i8>(dst + <usize>(j * BANDS + b), <i8>min(127, max(-128, q)));
      }
    }
  }
}
