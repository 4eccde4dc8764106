// Detection snippets for datasets: when the card has a /VOICE/CAPTURE folder, the 1.5 s of
// processed audio (the beam after AGC, what the models heard) around each detection, 1.0 s
// before it and 0.5 s after, is written as /VOICE/CAPTURE/Cnnnn.WAV: 16 kHz, 16-bit, mono, so it
// replays as `--input mic=Cnnnn.WAV` (the same signal on every microphone). The audio after the
// detection is not there yet when it happens, so the write waits for it; a detection while one
// is pending is skipped (it is inside that snippet anyway).
import * as fat from "../../firmware/fat32/file-system";
import { WAV_HEADER_BYTES, storeWavHeader } from "../../firmware/wav-header";

const DIR = "/VOICE/CAPTURE";
const RING: i32 = 32768; // samples, 2.05 s at 16 kHz: 1.5 s plus the slack of one DMA buffer
const BEFORE: u64 = 16000;
const AFTER: u64 = 8000;
const LENGTH: i32 = <i32>(BEFORE + AFTER);

export class Capture {
  enabled: bool = false;
  saved: u32 = 0;
  lastError: i32 = 0;
  private ring: usize = 0; // allocated only when capturing: 64 KB
  private header: usize = 0;
  private count: u64 = 0;
  private due: u64 = 0; // sample count at which the pending snippet is complete; 0 = none
  private next: i32 = 1;

  /** Call once the card is mounted: captures only if the folder exists. */
  open(): void {
    this.enabled = fat.exists(DIR);
    if (!this.enabled) return;
    this.ring = heap.alloc(<usize>(RING * 2));
    this.header = heap.alloc(<usize>WAV_HEADER_BYTES);
  }

  @inline push(v: i16): void {
    store<i16>(this.ring + (<usize>(<i32>(this.count & <u64>(RING - 1))) << 1), v);
    this.count++;
  }

  /** A detection at the newest sample. */
  mark(): void {
    if (!this.enabled || this.due != 0) return;
    this.due = max(this.count + AFTER, <u64>LENGTH);
  }

  /** Writes the pending snippet once its last sample is in; the file name, or "" if nothing was written. */
  poll(): string {
    if (this.due == 0 || this.count < this.due) return "";
    const end = this.due;
    this.due = 0;
    let name = "";
    for (; this.next < 10000; this.next++) {
      const candidate = DIR + "/C" + this.next.toString().padStart(4, "0") + ".WAV";
      if (!fat.exists(candidate)) { name = candidate; break; }
    }
    if (name.length == 0) { this.lastError = -1; return ""; }
    this.next++;
    const h = fat.open(name, fat.MODE_WRITE);
    if (h < 0) { this.lastError = h; return ""; }
    this.writeHeader();
    let r = fat.write(h, this.header, <u32>WAV_HEADER_BYTES);
    // The ring holds the snippet in at most two pieces.
    const start = <i32>((end - <u64>LENGTH) & <u64>(RING - 1));
    const first = min(LENGTH, RING - start);
    if (r >= 0) r = fat.write(h, this.ring + (<usize>start << 1), <u32>(first * 2));
    if (r >= 0 && first < LENGTH) r = fat.write(h, this.ring, <u32>((LENGTH - first) * 2));
    const c = fat.close(h);
    if (r < 0 || c < 0) { this.lastError = r < 0 ? r : c; return ""; }
    this.saved++;
    return name;
  }

  private writeHeader(): void {
    storeWavHeader(this.header, <u32>(LENGTH * 2), 16000);
  }
}
