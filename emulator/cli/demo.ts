// tinyboard demo (npm start): the bundled apps, built, flashed and run on every board they
// target, with their bundled inputs, then a table of what each achieved.
import { buildApp } from "./lazy-build.ts";
import path from "node:path";
import { readdirSync } from "node:fs";
import { loadTarget } from "../board.ts";
import { isAppDir, loadApp, resolveInput } from "../build/app.ts";
import { PROJECT_ROOT } from "../paths.ts";
import { flashImage, openState } from "../state.ts";
import { runImage, formatSummary } from "./run.ts";

export async function demoCommand(opts: { seconds?: number }): Promise<void> {
  const appsDir = path.join(PROJECT_ROOT, "apps");
  const apps = readdirSync(appsDir).map((d) => path.join(appsDir, d)).filter(isAppDir).sort();
  const rows: string[] = [];
  for (const dir of apps) {
    for (const boardId of loadApp(dir).boards) {
      const target = loadTarget(boardId);
      const { app, image, report } = await buildApp(dir, target);
      const state = openState(path.resolve(".tinyboard", "demo", boardId));
      flashImage(state, image);
      const seconds = opts.seconds ?? app.seconds;
      console.log(`\n=== ${app.name} on ${target.board.name}: flash ${report.flash.used} B, SRAM ${report.sram.used} B; running ${seconds} s`);
      const inputs = Object.fromEntries(Object.entries(app.inputs).map(([k, v]) => [k, resolveInput(app, v)]));
      const s = await runImage(image, target, { inputs, sdcard: state.sdcardPath, seconds });
      console.log(formatSummary(s));
      rows.push(`${app.name.padEnd(16)} ${boardId.padEnd(8)} ${(s.cpuLoad * 100).toFixed(2).padStart(6)} % ${String(Math.round(s.realTimeFactor)).padStart(8)}x  ${s.fault ? s.fault.kind : "ok"}`);
      if (s.fault) process.exitCode = 3;
    }
  }
  console.log(`\n${"app".padEnd(16)} ${"board".padEnd(8)} CPU load  real-time  result`);
  for (const r of rows) console.log(r);
  console.log(`\nSD cards and flashed images are in .tinyboard/demo/<board>/ (try: mdir -i .tinyboard/demo/rt1060/sdcard.img ::/)`);
}
