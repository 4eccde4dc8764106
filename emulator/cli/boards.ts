// tinyboard boards
import { boardIds, loadBoard, selectCore } from "../board.ts";
import { formatBytes } from "../errors.ts";

export function boardsCommand(opts: { json?: boolean }): void {
  const boards = boardIds().map((id) => loadBoard(id));
  if (opts.json) {
    console.log(
      JSON.stringify(
        boards.map((b) => ({
          id: b.id,
          name: b.name,
          soc: b.soc,
          cores: b.cores.map((c) => ({
            id: c.id,
            type: c.type,
            clockHz: c.clockHz,
            sramBytes: selectCore(b, c.id).sramBytes,
          })),
          flash: { region: b.flash.name, bytes: b.flash.size },
          npu: b.npu
            ? { name: b.npu.name, macsPerCycle: b.npu.macsPerCycle, clockHz: b.npu.clockHz }
            : null,
          microphones: b.microphones
            ? {
                interface: b.microphones.interface,
                maxChannels: b.microphones.maxChannels,
                mics: b.microphones.mics,
              }
            : null,
        })),
        null,
        2,
      ),
    );
    return;
  }
  const mhz = (hz: number) => `${+(hz / 1e6).toFixed(1)} MHz`;
  for (const b of boards) {
    console.log(`${b.id.padEnd(9)} ${b.name} — ${b.soc}`);
    for (const c of b.cores) {
      const t = selectCore(b, c.id);
      console.log(
        `  core   ${c.id.padEnd(5)} ${c.type} at ${mhz(c.clockHz)}, SRAM ${formatBytes(t.sramBytes)} (${t.sram.map((r) => `${r.name} ${formatBytes(r.size)}`).join(" + ")})`,
      );
    }
    console.log(
      `  flash  ${b.flash.name} ${formatBytes(b.flash.size)} at 0x${b.flash.base.toString(16).padStart(8, "0")}`,
    );
    const other = b.memory.filter((m) => m.kind !== "sram" && m !== b.flash);
    if (other.length)
      console.log(`  also   ${other.map((m) => `${m.name} ${formatBytes(m.size)}`).join(", ")}`);
    console.log(
      `  npu    ${b.npu ? `${b.npu.name}: ${b.npu.macsPerCycle} MACs/cycle at ${mhz(b.npu.clockHz)} (${b.npu.ops.join(", ")})` : "none"}`,
    );
    console.log(`  leds   ${b.leds.join(", ")}`);
    const m = b.microphones;
    console.log(
      `  mics   ${m ? `${m.interface} (up to ${m.maxChannels} channels), ${m.mics.length ? `${m.mics.length} on board: ${m.mics.map((x) => `${x.name} at (${x.positionMm.join(", ")}) mm`).join(", ")}` : "none on board (add one with --mic-array)"}` : "none"}`,
    );
  }
}
