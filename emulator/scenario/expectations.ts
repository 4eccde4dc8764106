// Checks one `expect` step against the board as it is now. A miss says what was expected and
// what the board shows instead.
import type { Machine } from "../machine.ts";
import type { Expect, Range } from "./schema.ts";
import type { BoardObserver } from "./observer.ts";
import { listCardFolder, readCardFile } from "../sdcard/read-fat32.ts";

export interface Miss {
  expected: string;
  actual: string;
}

function inRange(v: number, r: Range): boolean {
  return (r.min === undefined || v >= r.min) && (r.max === undefined || v <= r.max);
}

function rangeText(r: Range, unit = ""): string {
  if (r.min !== undefined && r.max !== undefined)
    return `between ${r.min}${unit} and ${r.max}${unit}`;
  return r.min !== undefined ? `at least ${r.min}${unit}` : `at most ${r.max}${unit}`;
}

/** Data rows of a CSV file: non-empty lines after the header, comment lines left out. */
export function csvRows(text: string): number {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "" && !l.startsWith("#"));
  return Math.max(0, lines.length - 1);
}

export function checkExpect(
  e: Expect,
  machine: Machine,
  seen: BoardObserver,
  card: string | null,
): Miss | null {
  if (e.console && !e.console.test(seen.console))
    return { expected: `console output matching /${e.console.source}/`, actual: "no such output" };
  if (e.noConsole) {
    const m = e.noConsole.exec(seen.console);
    if (m)
      return {
        expected: `no console output matching /${e.noConsole.source}/`,
        actual: `'${m[0]}'`,
      };
  }
  if (e.led !== undefined) {
    const i = seen.led(e.led);
    if (typeof i === "string") return { expected: `LED ${e.led}`, actual: i };
    const name = `LED ${i} (${machine.target.board.leds[i]})`;
    if (e.on !== undefined && machine.gpio.leds[i] !== e.on)
      return { expected: `${name} ${e.on ? "on" : "off"}`, actual: e.on ? "off" : "on" };
    if (e.toggles && !inRange(seen.toggles[i], e.toggles))
      return {
        expected: `${name} toggled ${rangeText(e.toggles, " times")}`,
        actual: `${seen.toggles[i]} toggles`,
      };
  }
  if (e.fault !== undefined) {
    const f = seen.fault;
    if (e.fault === "none" && f)
      return { expected: "no fault", actual: `${f.kind} fault: ${f.message}` };
    if (e.fault !== "none" && f?.kind !== e.fault)
      return {
        expected: `a ${e.fault} fault`,
        actual: f ? `${f.kind} fault: ${f.message}` : "no fault",
      };
  }
  if (e.file !== undefined) {
    const miss = checkFile(e, card);
    if (miss) return miss;
  }
  const clock = machine.clock;
  if (e.cpuLoad) {
    const load = clock.now > 0 ? (clock.busyCycles / clock.now) * 100 : 0;
    if (!inRange(load, e.cpuLoad))
      return { expected: `CPU load ${rangeText(e.cpuLoad, " %")}`, actual: `${load.toFixed(2)} %` };
  }
  if (e.busyCycles && !inRange(clock.busyCycles, e.busyCycles))
    return { expected: `busy cycles ${rangeText(e.busyCycles)}`, actual: `${clock.busyCycles}` };
  if (e.sramPeak) {
    const peak = machine.sramPeak();
    if (!inRange(peak, e.sramPeak))
      return { expected: `SRAM peak ${rangeText(e.sramPeak, " B")}`, actual: `${peak} B` };
  }
  if (e.inferences && !inRange(seen.inferences, e.inferences))
    return { expected: `${rangeText(e.inferences)} inferences`, actual: `${seen.inferences}` };
  if (e.inferenceMs) {
    const ms = seen.latencies.map((c) => clock.usFromCycles(c) / 1000);
    if (ms.length === 0)
      return {
        expected: `inference latency ${rangeText(e.inferenceMs, " ms")}`,
        actual: "no inference has completed",
      };
    const worst = ms.find((v) => !inRange(v, e.inferenceMs!));
    if (worst !== undefined)
      return {
        expected: `every inference ${rangeText(e.inferenceMs, " ms")}`,
        actual: `${worst.toFixed(3)} ms (of ${ms.length}: ${Math.min(...ms).toFixed(3)} to ${Math.max(...ms).toFixed(3)} ms)`,
      };
  }
  return null;
}

function checkFile(e: Expect, card: string | null): Miss | null {
  const file = e.file!;
  if (!card) return { expected: `${file} on the SD card`, actual: "this run has no SD card" };
  const data = readCardFile(card, file);
  if (e.absent)
    return data
      ? { expected: `no ${file} on the card`, actual: `${file} is there (${data.length} B)` }
      : null;
  if (!data) {
    const names = listCardFolder(card, file);
    const folder = file.split("/").slice(0, -1).join("/") || "/";
    return {
      expected: `${file} on the SD card`,
      actual: names
        ? `no such file (${folder} holds ${names.join(", ") || "nothing"})`
        : `no folder ${folder}`,
    };
  }
  const text = data.toString("latin1");
  if (e.matches && !e.matches.test(text))
    return {
      expected: `${file} matching /${e.matches.source}/`,
      actual: `${data.length} B starting '${text.slice(0, 80).replace(/\n/g, "\\n")}'`,
    };
  if (e.rows) {
    const rows = csvRows(text);
    if (!inRange(rows, e.rows))
      return { expected: `${file} with ${rangeText(e.rows, " rows")}`, actual: `${rows} rows` };
  }
  return null;
}
