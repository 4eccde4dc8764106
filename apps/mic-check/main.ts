// Microphone check: records SECONDS of 16 kHz audio from every microphone into a WAV file
// on the SD card (/MIC/RECnnnn.WAV, one new file per boot, channels interleaved as WAV wants).
// PDM-receiver boards (RT1170, MCX N947) deliver PCM; on RT1060 the SAI delivers 1-bit
// streams at 2.048 MHz and this app decimates them by 128 with the DSP library's CIC +
// compensation FIR (firmware/dsp/pdm.ts). Each block the app records is also handed
// to the host (debug.report kind 6) so tests can compare the file with what the firmware got.
import * as mic from "../../hal/mic";
import * as clock from "../../hal/clock";
import * as console from "../../hal/console";
import * as debug from "../../hal/debug";
import * as fat from "../../firmware/fat32/file-system";
import { NumberedName } from "../../firmware/numbered-file";
import { pdmBankBytes, pdmBankInit, pdmBankChannel, pdmDecimate } from "../../firmware/dsp/pdm";

const SECONDS: u32 = 3;
const RATE: u32 = 16000;
const BLOCK_MS: u32 = 10;
const SAMPLES: u32 = RATE * BLOCK_MS / 1000; // per channel per block
const PDM_CLOCK: u32 = 2048000;
const PDM_BYTES: u32 = PDM_CLOCK / 8000 * BLOCK_MS; // per channel per block
const MAX_CH: u32 = 8;

// DMA buffers: big enough for either layout of MAX_CH channels.
const BUF_BYTES: u32 = MAX_CH * PDM_BYTES;
const bufA = memory.data(<i32>BUF_BYTES, 16);
const bufB = memory.data(<i32>BUF_BYTES, 16);
const pcm = memory.data(<i32>(MAX_CH * SAMPLES * 2), 16); // planar, the DMA layout
const frames = memory.data(<i32>(MAX_CH * SAMPLES * 2), 16); // interleaved, the WAV layout
const header = memory.data(44, 4);
const floats = memory.data(<i32>(SAMPLES * 4), 16);
const PDM_RATIO: i32 = <i32>(PDM_CLOCK / RATE);

/** 2.048 MHz bits to 16 kHz int16 with the DSP library's CIC + compensation FIR (it reads the microphone's full scale as 1.0). */
function decimate(src: usize, dst: usize, st: usize): void {
  pdmDecimate(st, src, <i32>PDM_BYTES, floats, 0);
  for (let i: u32 = 0; i < SAMPLES; i++) {
    let v = <i32>nearest<f32>(load<f32>(floats + i * 4) * 32768.0);
    if (v > 32767) v = 32767;
    if (v < -32768) v = -32768;
    store<i16>(dst + i * 2, <i16>v);
  }
}

function put32(at: u32, v: u32): void { store<u32>(header + at, v); }
function put16(at: u32, v: u32): void { store<u16>(header + at, <u16>v); }
function tag(at: u32, s: string): void { for (let i = 0; i < 4; i++) store<u8>(header + at + i, <u8>s.charCodeAt(i)); }

/** The 44-byte header of a PCM WAV of `channels` x 16 bit at RATE with `dataBytes` of samples. */
function wavHeader(channels: u32, dataBytes: u32): void {
  tag(0, "RIFF"); put32(4, 36 + dataBytes); tag(8, "WAVE");
  tag(12, "fmt "); put32(16, 16); put16(20, 1); put16(22, channels);
  put32(24, RATE); put32(28, RATE * channels * 2); put16(32, channels * 2); put16(34, 16);
  tag(36, "data"); put32(40, dataBytes);
}

function openNew(): i32 {
  const names = new NumberedName("/MIC", "REC", 4, ".WAV");
  if (names.firstFree() < 0) return fat.ERR_FULL;
  const name = names.name;
  const h = fat.open(name, fat.MODE_WRITE);
  if (h >= 0) console.println("mic-check: recording to " + name);
  return h;
}

export function main(): void {
  const n = mic.count();
  const kind = mic.kind();
  console.println("mic-check: " + n.toString() + " microphones, " + (kind == mic.KIND_PDM_RECEIVER ? "PDM receiver (PCM)" : kind == mic.KIND_SAI_BITSTREAM ? "SAI bit streams (decimated here)" : "no microphone interface"));
  if (n == 0 || n > MAX_CH) { console.println("mic-check: nothing to record (attach an array with --mic-array)"); return; }
  fat.setClock(2026, 1, 1, 0, 0, 0);
  let r = fat.mount();
  if (r < 0) { console.println("mic-check: no card (" + r.toString() + ")"); return; }
  r = fat.mkdir("/MIC");
  if (r < 0) { console.println("mic-check: mkdir failed (" + r.toString() + ")"); return; }
  const file = openNew();
  if (file < 0) { console.println("mic-check: open failed (" + file.toString() + ")"); return; }
  const blocks = SECONDS * 1000 / BLOCK_MS;
  wavHeader(n, blocks * SAMPLES * n * 2);
  fat.write(file, header, 44);

  r = kind == mic.KIND_PDM_RECEIVER ? mic.configurePcm(n, RATE, BLOCK_MS, bufA, bufB) : mic.configurePdm(n, PDM_CLOCK, BLOCK_MS, bufA, bufB);
  if (r != 0) { console.println("mic-check: configure failed (" + r.toString() + ")"); fat.close(file); return; }
  let states: usize = 0;
  if (kind == mic.KIND_SAI_BITSTREAM) {
    states = heap.alloc(<usize>pdmBankBytes(PDM_RATIO, <i32>n));
    pdmBankInit(states, PDM_RATIO, <i32>n);
  }
  mic.start();
  let peak: i32 = 0;
  for (let k: u32 = 0; k < blocks; k++) {
    let idx = mic.takeBuffer();
    while (idx < 0) {
      clock.waitEvent(clock.EVENT_MIC, clock.nowUs() + 100000);
      idx = mic.takeBuffer();
    }
    const buf = idx == 0 ? bufA : bufB;
    let planar = buf;
    if (kind == mic.KIND_SAI_BITSTREAM) {
      for (let c: u32 = 0; c < n; c++) decimate(buf + c * PDM_BYTES, pcm + c * SAMPLES * 2, pdmBankChannel(states, PDM_RATIO, <i32>c));
      planar = pcm;
    }
    debug.report(6, planar, <i32>(n * SAMPLES * 2));
    for (let i: u32 = 0; i < SAMPLES; i++) {
      for (let c: u32 = 0; c < n; c++) {
        const v = load<i16>(planar + (c * SAMPLES + i) * 2);
        store<i16>(frames + (i * n + c) * 2, v);
        const a = v < 0 ? -<i32>v : <i32>v;
        if (a > peak) peak = a;
      }
    }
    r = fat.write(file, frames, n * SAMPLES * 2);
    if (r < 0) { console.println("mic-check: write failed (" + r.toString() + ")"); break; }
  }
  mic.stop();
  r = fat.close(file);
  fat.unmount();
  console.println("mic-check: " + SECONDS.toString() + " s recorded, peak " + peak.toString() + ", overruns " + mic.overruns().toString() + (r < 0 ? ", close failed" : ""));
}
