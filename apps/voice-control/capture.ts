// Detection snippets for datasets: when the card has a /VOICE/CAPTURE folder, the 1.5 s of
// processed audio (the beam after AGC, what the models heard) around each detection, 1.0 s
// before it and 0.5 s after, is written as /VOICE/CAPTURE/Cnnnn.WAV: 16 kHz, 16-bit, mono, so it
// replays as `--input mic=Cnnnn.WAV` (the same signal on every microphone). The audio after the
// detection is not there yet when it happens, so the write waits for it; a detection while one
// is pending is skipped (it is inside that snippet anyway). The snippet is read from the
// history the models read (history.ts holds 2 s), as it stands when written: where the beam took
// a new direction, the re-beamed past (rebeam.ts). Why not a ring of its own: 64 KB of SRAM.
import * as fat from "../../firmware/fat32/file-system";
import { WAV_HEADER_BYTES, storeWavHeader } from "../../firmware/wav-header";
import { History } from "./history";
import { NumberedName } from "../../firmware/numbered-file";

const DIR = "/VOICE/CAPTURE";
const BEFORE: u64 = 16000;
const AFTER: u64 = 8000;
const LENGTH: i32 = <i32>(BEFORE + AFTER);

export class Capture {
  enabled: bool = false;
  saved: u32 = 0;
  lastError: i32 = 0;
  private header: usize = 0;
  private readonly names: NumberedName = new NumberedName(DIR, "C", 4, ".WAV");
  private due: u64 = 0; // sample count at which the pending snippet is complete; 0 = none
  private next: i32 = 1;

  constructor(private readonly history: History) {}

  /** Call once the card is mounted: captures only if the folder exists. */
  open(): void {
    this.enabled = fat.exists(DIR);
    if (!this.enabled) return;
    this.header = heap.alloc(<usize>WAV_HEADER_BYTES);
  }

  /** A detection at the newest sample. */
  mark(): void {
    if (!this.enabled || this.due != 0) return;
    this.due = max(this.history.count + AFTER, <u64>LENGTH);
  }

  /** Writes the pending snippet once its last sample is in; the file name, or "" if nothing was written. */
  poll(): string {
    if (this.due == 0 || this.history.count < this.due) return "";
    const end = this.due;
    this.due = 0;
    const n = this.names.firstFree(this.next);
    if (n < 0) { this.next = 10000; this.lastError = -1; return ""; }
    this.next = n + 1;
    const name = this.names.name;
    const h = fat.open(name, fat.MODE_WRITE);
    if (h < 0) { this.lastError = h; return ""; }
    this.writeHeader();
    let r = fat.write(h, this.header, <u32>WAV_HEADER_BYTES);
    // The history's ring holds the snippet (polled within a buffer of its end, so still held) in at most two pieces.
    const at = this.history.at(end - <u64>LENGTH);
    const first = min(<usize>(LENGTH * 2), this.history.end - at);
    if (r >= 0) r = fat.write(h, at, <u32>first);
    if (r >= 0 && first < <usize>(LENGTH * 2)) r = fat.write(h, this.history.start, <u32>(<usize>(LENGTH * 2) - first));
    const c = fat.close(h);
    if (r < 0 || c < 0) { this.lastError = r < 0 ? r : c; return ""; }
    this.saved++;
    return name;
  }

  private writeHeader(): void {
    storeWavHeader(this.header, <u32>(LENGTH * 2), 16000);
  }
}
