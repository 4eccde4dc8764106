// The SD card on a fake board, over a small FAT32 image in a temp folder: command and busy
// timing of reads and writes (the core idles while the card works), data straight to the file,
// status codes for a missing card or a range past its end, DMA checks.
import test from "ava";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { FakeBoard } from "../helpers/fake-board.ts";
import { tempDir } from "../helpers/tools.ts";
import { SdCard } from "../../emulator/peripherals/sdcard.ts";
import { createFat32Image } from "../../emulator/sdcard/format-fat32.ts";
import { SDCARD_STATUS } from "../../emulator/hal-constants.ts";
import { Fault } from "../../emulator/faults.ts";

const CARD_BYTES = 40 * 1024 * 1024; // small, but large enough for FAT32's cluster count
const BUF = 0x2000;

function cardBoard(t: { teardown(fn: () => void): void }, boardId = "rt1060", flashWindow = 0) {
  const dir = tempDir("tb-sdcard-");
  const image = path.join(dir, "card.img");
  createFat32Image(image, CARD_BYTES);
  const board = new FakeBoard(boardId, { flashWindow });
  const card = new SdCard(board, image);
  t.teardown(() => {
    card.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { board, card, hal: card.imports(), image };
}

for (const boardId of ["rt1060", "mcxn947"]) {
  test(`${boardId}: a transfer is the driver's set-up, then the command, the bytes and (writes) the program busy time`, (t) => {
    const { board, hal } = cardBoard(t, boardId);
    const sd = board.target.board.sdcard;
    const driver = board.target.board.timing.sdcardDriverCycles.value;
    const { clock } = board;
    let hal0 = clock.halCycles,
      idle0 = clock.idleCycles;
    t.is(hal["read-blocks"](100, 8, BUF), SDCARD_STATUS.ok);
    t.is(clock.halCycles - hal0, driver);
    t.is(clock.idleCycles - idle0, clock.cyclesFromUs(sd.commandUs + 4096 / sd.readMBps));
    hal0 = clock.halCycles;
    idle0 = clock.idleCycles;
    t.is(hal["write-blocks"](100, 8, BUF), SDCARD_STATUS.ok);
    t.is(clock.halCycles - hal0, driver);
    const writeUs = sd.commandUs + 4096 / sd.writeMBps + sd.writeBusyUs;
    t.is(clock.idleCycles - idle0, clock.cyclesFromUs(writeUs));
    // rt1060: 120 us + 4096 B at 10 MB/s + 250 us busy = 779.6 us.
    if (boardId === "rt1060") t.is(writeUs, 779.6);
    t.deepEqual(
      board.trace.map((e) => e.what),
      ["read 8 blocks", "write 8 blocks"],
    );
  });
}

test("written blocks reach the image file at once; reads return them", (t) => {
  const { board, card, hal, image } = cardBoard(t);
  const lba = 2000;
  for (let i = 0; i < 1024; i++) board.bytes[BUF + i] = (i * 7) & 0xff;
  t.is(hal["write-blocks"](lba, 2, BUF), SDCARD_STATUS.ok);
  const onDisk = readFileSync(image).subarray(lba * 512, lba * 512 + 1024);
  t.deepEqual(onDisk, Buffer.from(board.bytes.subarray(BUF, BUF + 1024)));
  board.bytes.fill(0, BUF + 4096, BUF + 5120);
  t.is(hal["read-blocks"](lba, 2, BUF + 4096), SDCARD_STATUS.ok);
  t.deepEqual(board.bytes.subarray(BUF + 4096, BUF + 5120), board.bytes.subarray(BUF, BUF + 1024));
  t.deepEqual(card.stats(), { sdBlocksRead: 2, sdBlocksWritten: 2 });
});

test("status codes: a range past the card's end, no card after removal (and no time spent)", (t) => {
  const { board, card, hal } = cardBoard(t);
  const blocks = CARD_BYTES / 512;
  t.is(hal.present(), 1);
  t.is(hal["block-count"](), blocks);
  t.is(hal["read-blocks"](blocks - 1, 2, BUF), SDCARD_STATUS.range);
  t.is(hal["write-blocks"](blocks, 1, BUF), SDCARD_STATUS.range);
  card.remove();
  t.is(hal.present(), 0);
  t.is(hal["read-blocks"](0, 1, BUF), SDCARD_STATUS.noCard);
  t.is(board.clock.now, 0);
});

test("DMA into flash or past memory faults before the card is touched", (t) => {
  const { board, hal } = cardBoard(t, "rt1060", 0x1000);
  t.is(t.throws(() => hal["read-blocks"](0, 1, 0x800), { instanceOf: Fault })!.kind, "flash-write");
  t.is(
    t.throws(() => hal["write-blocks"](0, 1, board.mem.size - 100), { instanceOf: Fault })!.kind,
    "bad-hal-pointer",
  );
  t.is(board.clock.now, 0);
});
