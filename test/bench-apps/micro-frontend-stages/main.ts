// Where a micro front end frame's cycles go: the stages of firmware/dsp/micro-frontend run
// one by one (as MicroFrontend chains them) over the 49 frames of yes_1000ms.wav, each timed
// with the cycle counter. The chained features must equal MicroFrontend's ("same" below), so
// the figures are those of the real chain.
import * as clock from "../../../hal/clock";
import * as console from "../../../hal/console";
import * as system from "../../../hal/system";
import { partitionBase } from "../../../firmware/partitions";
import { TextBuffer } from "../../../firmware/text";
import { MicroFrontend, FEATURES, HOP_SAMPLES } from "../../../firmware/dsp/micro-frontend/frontend";
import { WINDOW_SAMPLES, hannQ12, applyWindow } from "../../../firmware/dsp/micro-frontend/window";
import { RfftQ15 } from "../../../firmware/dsp/micro-frontend/rfft-q15";
import { CHANNELS, FilterBank } from "../../../firmware/dsp/micro-frontend/filter-bank";
import { NoiseReduction } from "../../../firmware/dsp/micro-frontend/noise-reduction";
import { Pcan } from "../../../firmware/dsp/micro-frontend/pcan";
import { logScaleToInt8 } from "../../../firmware/dsp/micro-frontend/log-scale";

const FRAMES: i32 = 49;
const STAGES: StaticArray<string> = ["window", "rfft (with the auto-scale shift)", "energy+filterbank+sqrt", "noise reduction", "pcan", "log+int8"];
const line = new TextBuffer(256);

export function main(): void {
  const pcm = partitionBase("yes") + 44; // the fixture's canonical 44-byte header
  const window = heap.alloc(<usize>WINDOW_SAMPLES << 1);
  hannQ12(window);
  const frame = heap.alloc(512 << 1), spectrum = heap.alloc(257 << 2);
  const fft = new RfftQ15(), bank = new FilterBank(512), noise = new NoiseReduction(CHANNELS), pcan = new Pcan(7, 6);
  const mine = heap.alloc(<usize>(FRAMES * FEATURES)), theirs = heap.alloc(<usize>(FRAMES * FEATURES));
  const spent: StaticArray<u64> = new StaticArray<u64>(6);
  for (let f = 0; f < FRAMES; f++) {
    const at = pcm + (<usize>(f * HOP_SAMPLES) << 1);
    let t = clock.cycles();
    const shift = applyWindow(at, window, frame, 512);
    let u = clock.cycles(); spent[0] += u - t; t = u;
    fft.transform(frame, shift, spectrum);
    u = clock.cycles(); spent[1] += u - t; t = u;
    bank.apply(spectrum, shift);
    u = clock.cycles(); spent[2] += u - t; t = u;
    noise.apply(bank.out);
    u = clock.cycles(); spent[3] += u - t; t = u;
    pcan.apply(bank.out, noise.estimate, CHANNELS);
    u = clock.cycles(); spent[4] += u - t; t = u;
    logScaleToInt8(bank.out, 3, mine + <usize>(f * FEATURES), CHANNELS);
    u = clock.cycles(); spent[5] += u - t;
  }
  const fe = new MicroFrontend();
  for (let at = 0; at < 16000; at += 160) {
    if (fe.push(pcm + (<usize>at << 1), 160) && fe.frames <= <u32>FRAMES) memory.copy(theirs + <usize>((fe.frames - 1) * FEATURES), fe.features, <usize>FEATURES);
  }
  let total: u64 = 0;
  for (let s = 0; s < 6; s++) {
    total += spent[s];
    line.str("stage ").str(STAGES[s]).str(": ").uint(spent[s] / <u64>FRAMES).str(" cycles/frame");
    line.byte(10); console.writeBytes(line.base, line.length); line.clear();
  }
  line.str("total ").uint(total / <u64>FRAMES).str(" cycles/frame; ").str(memory.compare(mine, theirs, <usize>(FRAMES * FEATURES)) == 0 ? "same" : "DIFFERENT").str(" features as MicroFrontend");
  line.byte(10); console.writeBytes(line.base, line.length); line.clear();
  system.exit(0);
}
