// Face-crop sequences and audio for datasets: when the card has a /ASD/CAPTURE folder, every
// second of the run (CLIP_FRAMES camera frames) becomes a clip n:
//   /ASD/CAPTURE/Annnn.WAV        microphone 0 over the clip (16 kHz, 16-bit, mono: what the audio
//                                 branch heard, replays as `--input mic=`)
//   /ASD/CAPTURE/Cnnnn_Tk.PGM     track k's mouth crops, 24 x 16 grey each, stacked top to bottom
//                                 oldest first (binary PGM, 24 x 16·frames), as the crop history saw them
//   /ASD/CAPTURE/INDEX.CSV        "clip,track,frames,x,y,w,h,probability_pct": per clip and face its
//                                 box in pixels (at the clip's end) and its mean smoothed probability,
//                                 the app's own label to check or correct
// Buffers (1 s of audio, 15 crops per track) are allocated only when capturing.
import * as fat from "../../firmware/fat32/file-system";
import { WAV_HEADER_BYTES, storeWavHeader } from "../../firmware/wav-header";
import { NumberedName, writeDigits } from "../../firmware/numbered-file";
import { TextBuffer } from "../../firmware/text";
import { CROP_W, CROP_H } from "./mouth";
import { MAX_TRACKS } from "./tracker";

const DIR = "/ASD/CAPTURE";
export const CLIP_FRAMES: i32 = 15;
const AUDIO_MAX: i32 = 17280; // 1 s at 16 kHz plus slack for the hops that straddle a clip's edges
const CROP: i32 = CROP_W * CROP_H;

export class Capture {
  enabled: bool = false;
  clips: u32 = 0;
  lastError: i32 = 0;
  private audio: usize = 0;
  private samples: i32 = 0;
  private crops: usize = 0; // MAX_TRACKS x CLIP_FRAMES crops
  private readonly ids: StaticArray<i32> = new StaticArray<i32>(MAX_TRACKS);
  private readonly count: StaticArray<i32> = new StaticArray<i32>(MAX_TRACKS);
  private readonly probability: StaticArray<f32> = new StaticArray<f32>(MAX_TRACKS);
  private readonly boxes: StaticArray<i32> = new StaticArray<i32>(4 * MAX_TRACKS);
  private frames: i32 = 0;
  private header: usize = 0;
  private index: i32 = -1;
  private readonly row: TextBuffer = new TextBuffer(512);
  private readonly pgmHead: TextBuffer = new TextBuffer(32);
  private next: u32 = 1;
  // File names made once and their digits rewritten: the allocator never frees, and a string per
  // file ran the heap out after some 25 clips. A crop file's name is made anew only for a new track.
  private readonly wavName: NumberedName = new NumberedName(DIR, "A", 4, ".WAV");
  private readonly pgmNames: StaticArray<string> = new StaticArray<string>(MAX_TRACKS);
  private readonly pgmIds: StaticArray<i32> = new StaticArray<i32>(MAX_TRACKS);

  /** Call once the card is mounted: captures only if the folder exists. */
  open(): void {
    this.enabled = fat.exists(DIR);
    if (!this.enabled) return;
    this.audio = heap.alloc(<usize>(AUDIO_MAX * 2));
    this.crops = heap.alloc(<usize>(MAX_TRACKS * CLIP_FRAMES * CROP));
    this.header = heap.alloc(<usize>WAV_HEADER_BYTES);
    // Continue numbering after the clips a previous run left.
    const free = this.wavName.firstFree(this.next);
    this.next = free < 0 ? 9999 : free;
    const name = DIR + "/INDEX.CSV";
    const fresh = !fat.exists(name);
    this.index = fat.open(name, fresh ? fat.MODE_WRITE : fat.MODE_APPEND);
    if (this.index < 0) { this.lastError = this.index; this.enabled = false; return; }
    if (fresh) this.row.str("clip,track,frames,x,y,w,h,probability_pct\n");
    for (let k = 0; k < MAX_TRACKS; k++) this.ids[k] = 0;
  }

  /** 320 new samples of microphone 0 (f32, full scale 1). */
  audioHop(src: usize, n: i32): void {
    if (!this.enabled) return;
    for (let i = 0; i < n && this.samples < AUDIO_MAX; i++) {
      const v = Mathf.round(load<f32>(src + (<usize>i << 2)) * 32767);
      store<i16>(this.audio + (<usize>this.samples << 1), <i16>max<f32>(-32768, min<f32>(32767, v)));
      this.samples++;
    }
  }

  /** Track `slot` (id `id`) this frame: its newest raw crop (u8), box in pixels, smoothed probability. */
  face(slot: i32, id: i32, crop: usize, x: i32, y: i32, w: i32, h: i32, p: f32): void {
    if (!this.enabled) return;
    if (this.ids[slot] != id) { this.ids[slot] = id; this.count[slot] = 0; this.probability[slot] = 0; }
    const n = this.count[slot];
    if (n >= CLIP_FRAMES) return;
    memory.copy(this.crops + <usize>((slot * CLIP_FRAMES + n) * CROP), crop, <usize>CROP);
    this.count[slot] = n + 1;
    this.probability[slot] += p;
    this.boxes[4 * slot] = x; this.boxes[4 * slot + 1] = y; this.boxes[4 * slot + 2] = w; this.boxes[4 * slot + 3] = h;
  }

  /** Call after each frame's faces; every CLIP_FRAMES frames writes the clip. 0 or a negative fat32 code. */
  endFrame(): i32 {
    if (!this.enabled) return 0;
    this.frames++;
    if (this.frames < CLIP_FRAMES) return 0;
    const clip = this.next++;
    let r = this.writeWav(this.wavName.set(<i32>clip));
    for (let k = 0; k < MAX_TRACKS && r >= 0; k++) {
      const n = this.count[k];
      if (this.ids[k] == 0 || n == 0) continue;
      r = this.writePgm(this.pgmName(k, clip), k, n);
      this.row.uint(clip).byte(0x2c).int(this.ids[k]).byte(0x2c).int(n);
      for (let j = 0; j < 4; j++) this.row.byte(0x2c).int(this.boxes[4 * k + j]);
      this.row.byte(0x2c).uint(<u32>Mathf.round(this.probability[k] * 100 / <f32>n)).byte(0x0a);
      this.count[k] = 0;
      this.probability[k] = 0;
    }
    if (r >= 0 && this.row.length > 0) r = fat.write(this.index, this.row.base, this.row.length);
    if (r >= 0) r = fat.sync(this.index);
    this.row.clear();
    this.frames = 0;
    this.samples = 0;
    if (r < 0) this.lastError = r; else this.clips++;
    return r;
  }

  private writeWav(name: string): i32 {
    const h = fat.open(name, fat.MODE_WRITE);
    if (h < 0) return h;
    const p = this.header, data: u32 = <u32>(this.samples * 2);
    storeWavHeader(p, data, 16000);
    let r = fat.write(h, p, <u32>WAV_HEADER_BYTES);
    if (r >= 0 && data > 0) r = fat.write(h, this.audio, data);
    const c = fat.close(h);
    return r < 0 ? r : c;
  }

  /** DIR/Cnnnn_Tid.PGM for track slot `k` in clip `clip`. */
  private pgmName(k: i32, clip: u32): string {
    const id = this.ids[k];
    if (this.pgmIds[k] != id || this.pgmNames[k] == null) {
      this.pgmNames[k] = DIR + "/C0000_T" + id.toString() + ".PGM";
      this.pgmIds[k] = id;
    }
    const name = this.pgmNames[k];
    writeDigits(name, DIR.length + 5, 4, <i32>clip);
    return name;
  }

  private writePgm(name: string, slot: i32, n: i32): i32 {
    const h = fat.open(name, fat.MODE_WRITE);
    if (h < 0) return h;
    const head = this.pgmHead;
    head.clear();
    head.str("P5\n").int(CROP_W).byte(0x20).int(CROP_H * n).str("\n255\n");
    let r = fat.write(h, head.base, head.length);
    if (r >= 0) r = fat.write(h, this.crops + <usize>(slot * CLIP_FRAMES * CROP), <u32>(n * CROP));
    const c = fat.close(h);
    return r < 0 ? r : c;
  }
}
