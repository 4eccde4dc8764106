// Stage 4: spectral subtraction (TFLM signal op "filter_bank_spectral_subtraction", as the
// micro_speech front end configures it). Per channel a slow running average of the amplitude
// (smoothing 0.025 on even channels, 0.06 on odd ones, in Q14, with 10 extra fractional bits)
// estimates the stationary noise; the output is the amplitude minus that estimate, but never
// below 5 % of the amplitude. The estimate is state across frames and feeds PCAN too.

const SUBTRACTION_BITS: u32 = 14;
const SMOOTHING_BITS: u32 = 10;
const EVEN_SMOOTHING: u64 = 409; // int(0.025 · 2^14)
const ODD_SMOOTHING: u64 = 983; // int(0.06 · 2^14)
const MIN_SIGNAL_REMAINING: u64 = 819; // int(0.05 · 2^14)

export class NoiseReduction {
  /** Noise estimate per channel, amplitude << 10 (uint32). */
  readonly estimate: usize;

  constructor(readonly channels: i32) {
    this.estimate = heap.alloc(<usize>channels << 2);
    this.reset();
  }

  reset(): void {
    memory.fill(this.estimate, 0, <usize>this.channels << 2);
  }

  /** In place on `signal` (channels x uint32). */
  apply(signal: usize): void {
    for (let i = 0; i < this.channels; i++) {
      const s = signal + (<usize>i << 2), e = this.estimate + (<usize>i << 2);
      const smoothing = (i & 1) == 0 ? EVEN_SMOOTHING : ODD_SMOOTHING;
      const x = load<u32>(s);
      const up = x << SMOOTHING_BITS;
      let estimate = <u32>(((<u64>up * smoothing) + <u64>load<u32>(e) * ((<u64>1 << SUBTRACTION_BITS) - smoothing)) >> SUBTRACTION_BITS);
      store<u32>(e, estimate);
      if (estimate > up) estimate = up;
      const floor = <u32>((<u64>x * MIN_SIGNAL_REMAINING) >> SUBTRACTION_BITS);
      const subtracted = (up - estimate) >> SMOOTHING_BITS;
      store<u32>(s, subtracted > floor ? subtracted : floor);
    }
  }
}
