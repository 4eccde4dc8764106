// The learnt noise suppressor: TFLM's int8 DTLN model (the mask-estimating first stage of
// breizhn/DTLN, two 128-unit LSTMs) from flash partition "dtln", in place of the Wiener
// suppressor when flash holds it. Per 128-sample hop (firmware/dsp/masked-stft.ts): the
// magnitudes of the newest 512 samples in, a gain per bin out, the masked spectrum overlap-added.
// The LSTMs' state stays in the engine between hops (as TFLM keeps it), so each hop is one
// invocation of a one-frame sequence.
//
// The front end works in 10 ms blocks of 160 samples, the model in hops of 128: input gathers
// into hops, output leaves through a queue primed with OUT_PRIME samples of silence, the fewest
// that never run dry (160 b mod 128 is at most 96). Latency: 384 + 96 samples, 30 ms.
import { Interpreter } from "../../firmware/tflite/interpreter";
import { msInit, msAnalyse, msSynthesise, msMagnitude, msStateBytes, MS_HOP, MS_BINS, MS_LATENCY } from "../../firmware/dsp/masked-stft";
import * as clock from "../../hal/clock";
import { DTLN_MASK_FLOOR_PCT } from "../../firmware/app-options";

export const DTLN_PARTITION = "dtln";
const OUT_PRIME: i32 = 96;
// The least gain a bin keeps (app.json DTLN_MASK_FLOOR_PCT, 0: the model's mask as it is): a
// floor trades noise left in for less of the speech taken with it.
const MASK_FLOOR: f32 = <f32>DTLN_MASK_FLOOR_PCT / 100;
const OUT_CAPACITY: i32 = 512; // at most OUT_PRIME + 2 hops wait between blocks
/** Samples from a block's input to the same samples out of process(). */
export const DTLN_LATENCY: i32 = MS_LATENCY + OUT_PRIME;

export class Dtln {
  private readonly stft: usize = heap.alloc(<usize>msStateBytes());
  private readonly mask: usize = heap.alloc(<usize>(MS_BINS * 4));
  private readonly hop: usize = heap.alloc(<usize>(MS_HOP * 4)); // input gathering into a hop
  private readonly out: usize = heap.alloc(<usize>(OUT_CAPACITY * 4)); // ring of output samples
  private gathered: i32 = 0;
  private outRead: i32 = 0;
  private outCount: i32 = OUT_PRIME; // the ring starts with OUT_PRIME zeros
  private readonly inverseScale: f32;
  private readonly inputZero: i32;

  constructor(readonly engine: Interpreter) {
    msInit(this.stft);
    memory.fill(this.out, 0, <usize>(OUT_CAPACITY * 4));
    const input = engine.input(0);
    this.inverseScale = 1.0 / input.scale;
    this.inputZero = input.zeroPoint;
  }

  /**
   * Cycles of one hop (analysis, the model, synthesis) on silence, the hop's state then set back:
   * the LSTMs keep having heard one silent frame, as when the audio starts with silence.
   */
  probeCycles(): u64 {
    memory.fill(this.hop, 0, <usize>(MS_HOP * 4));
    const c0 = clock.cycles();
    this.filterHop();
    const used = clock.cycles() - c0;
    msInit(this.stft);
    return used;
  }

  /** Suppresses noise in `n` float32 samples at `block`, in place (delayed by DTLN_LATENCY). */
  process(block: usize, n: i32): void {
    for (let i = 0; i < n; i++) {
      store<f32>(this.hop + (<usize>this.gathered << 2), load<f32>(block + (<usize>i << 2)));
      if (++this.gathered == MS_HOP) {
        this.runHop();
        this.gathered = 0;
      }
    }
    for (let i = 0; i < n; i++) {
      store<f32>(block + (<usize>i << 2), load<f32>(this.out + (<usize>this.outRead << 2)));
      this.outRead = (this.outRead + 1) % OUT_CAPACITY;
    }
    this.outCount -= n;
  }

  /** The gathered hop through analysis, the model and the masked synthesis; the hop's output takes its buffer. */
  private filterHop(): void {
    msAnalyse(this.stft, this.hop);
    this.runModel();
    msSynthesise(this.stft, this.mask, this.hop);
  }

  private runHop(): void {
    this.filterHop();
    let write = (this.outRead + this.outCount) % OUT_CAPACITY;
    for (let i = 0; i < MS_HOP; i++) {
      store<f32>(this.out + (<usize>write << 2), load<f32>(this.hop + (<usize>i << 2)));
      write = (write + 1) % OUT_CAPACITY;
    }
    this.outCount += MS_HOP;
  }

  /** The mask for the analysed frame's magnitudes. */
  private runModel(): void {
    const mag = msMagnitude(this.stft);
    const input = this.engine.input(0);
    for (let k = 0; k < MS_BINS; k++) {
      const q = <i32>Mathf.round(load<f32>(mag + (<usize>k << 2)) * this.inverseScale) + this.inputZero;
      store<i8>(input.data + <usize>k, <i8>(q < -128 ? -128 : q > 127 ? 127 : q));
    }
    this.engine.invoke();
    const output = this.engine.output(0);
    for (let k = 0; k < MS_BINS; k++)
      store<f32>(this.mask + (<usize>k << 2), max(MASK_FLOOR, <f32>(<i32>load<i8>(output.data + <usize>k) - output.zeroPoint) * output.scale));
  }
}
