// Sensor logger: accelerometer at 200 Hz through its FIFO, CSV rows to /LOGS/LOGnnnn.CSV on
// the SD card (one new file per boot; the file replays as an accel input), an LED toggle
// on each flushed block and a status line every second.
import * as clock from "../../hal/clock";
import * as console from "../../hal/console";
import * as gpio from "../../hal/gpio";
import * as accel from "../../hal/accel";
import * as fat from "../../firmware/fat32/file-system";
import { freeLogName, openCardFolder } from "../../firmware/csv-log";
import { TextBuffer } from "../../firmware/text";

const RATE_HZ: u32 = 200;
const RANGE_G: u32 = 2;
const WATERMARK: u32 = 25;
const FLUSH_BYTES: u32 = 4096; // write the card in 4 KB blocks (8 sectors)
const ROW_MAX: u32 = 48; // "t_ms,x,y,z" with 4-decimal g values fits easily

const samples = memory.data(6 * 32, 4);
const rows = new TextBuffer(FLUSH_BYTES);
const line = new TextBuffer(160);

let sampleIndex: u64 = 0;
let bytesLogged: u64 = 0;
let blocksFlushed: u32 = 0;
let led = false;

function say(): void {
  line.byte(0x0a);
  console.writeBytes(line.base, line.length);
  line.clear();
}

function fail(what: string, code: i32): void {
  line.clear();
  line.str("sensor-logger: ").str(what).str(" failed (").int(code).str(")");
  say();
}

/** Opens /LOGS/LOGnnnn.CSV with the first free number. */
function openNewLog(): i32 {
  const name = freeLogName("/LOGS", "LOG", 4);
  if (name.length == 0) return fat.ERR_FULL;
  const h = fat.open(name, fat.MODE_WRITE);
  if (h >= 0) {
    line.str("logging to ").str(name);
    say();
  }
  return h;
}

// g with 4 decimals from raw counts: counts * range / 32768 g.
@inline function appendG(counts: i32): void {
  rows.fixed((<i64>counts * RANGE_G * 10000) / 32768, 4);
}

function flush(file: i32): void {
  let r = fat.write(file, rows.base, rows.length);
  if (r >= 0) r = fat.sync(file);
  if (r < 0) fail("write", r);
  bytesLogged += rows.length;
  rows.clear();
  blocksFlushed++;
  led = !led;
  gpio.setLed(0, led);
}

export function main(): void {
  line.str("sensor-logger on a ").uint(clock.coreHz() / 1000000).str(" MHz core");
  say();
  const problem = openCardFolder("/LOGS");
  if (problem.length > 0) { line.str("sensor-logger: ").str(problem); say(); return; }
  const file = openNewLog();
  if (file < 0) { fail("open", file); return; }
  rows.str("t_ms,x,y,z\n");

  let r = accel.configure(RATE_HZ, RANGE_G, WATERMARK);
  if (r < 0) { fail("accel.configure", r); return; }
  accel.start();
  clock.watchdogStart(2000);

  const t0 = clock.nowUs();
  let nextStatus = t0 + 1000000;
  for (;;) {
    const lines = clock.waitEvent(clock.EVENT_ACCEL, nextStatus);
    clock.watchdogFeed();
    if (lines & clock.EVENT_ACCEL) {
      const n = accel.readFifo(samples, 32);
      for (let i: u32 = 0; i < n; i++) {
        if (rows.free < ROW_MAX) flush(file);
        const p = samples + i * 6;
        rows.fixed(<i64>(sampleIndex * 1000 / RATE_HZ), 0).byte(0x2c);
        appendG(load<i16>(p)); rows.byte(0x2c);
        appendG(load<i16>(p, 2)); rows.byte(0x2c);
        appendG(load<i16>(p, 4)); rows.byte(0x0a);
        sampleIndex++;
      }
    }
    const now = clock.nowUs();
    if (now >= nextStatus) {
      nextStatus += 1000000;
      line.str("[").fixed(<i64>((now - t0) / 1000), 3).str(" s] samples ").uint(sampleIndex)
        .str(", logged ").uint(bytesLogged).str(" B in ").uint(blocksFlushed).str(" blocks, overruns ").uint(accel.overruns());
      say();
    }
  }
}
