// Same image + same inputs = same cycles, console output, events and SD card bytes.
import test from "ava";
import path from "node:path";
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { loadTarget } from "../../emulator/board.ts";
import { Machine } from "../../emulator/machine.ts";
import { ensureCard } from "../../emulator/state.ts";
import { built, tempDir } from "../helpers/tools.ts";

async function once(board: string) {
  const { image } = await built("apps/sensor-logger", board);
  const card = path.join(tempDir(), "card.img");
  ensureCard(card);
  const machine = new Machine({
    target: loadTarget(board),
    image,
    sdcard: card,
    inputs: { accel: "gen:rest,seed=3" },
  });
  const events: string[] = [];
  machine.events.on("console", (text, us) => events.push(`c ${us} ${text}`));
  machine.events.on("gpio", (e) => events.push(`g ${e.timeUs} ${e.led} ${e.on}`));
  const s = await machine.run({ seconds: 4 });
  const cardHash = createHash("sha256").update(readFileSync(card)).digest("hex");
  return { cycles: s.cycles, busy: s.busyCycles, events, cardHash, peripherals: s.peripherals };
}

for (const board of ["rt1060", "mcxn947"]) {
  test(`two runs of the same image and inputs are identical on ${board}`, async (t) => {
    const a = await once(board);
    const b = await once(board);
    t.is(a.busy, b.busy);
    t.is(a.cycles, b.cycles);
    t.deepEqual(a.events, b.events);
    t.is(a.cardHash, b.cardHash);
    t.deepEqual(a.peripherals, b.peripherals);
    t.true(a.events.length > 5);
  });
}

test("a different input seed changes the card but not the timing of the log", async (t) => {
  const a = await once("rt1060");
  const { image } = await built("apps/sensor-logger", "rt1060");
  const card = path.join(tempDir(), "card.img");
  ensureCard(card);
  await new Machine({
    target: loadTarget("rt1060"),
    image,
    sdcard: card,
    inputs: { accel: "gen:rest,seed=4" },
  }).run({ seconds: 4 });
  t.not(createHash("sha256").update(readFileSync(card)).digest("hex"), a.cardHash);
});
