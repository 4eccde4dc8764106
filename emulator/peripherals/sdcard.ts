// SD card: a block device over a disk image file. Each write goes straight to the file,
// so a fault or a stopped run never loses what the firmware already wrote. Transfers take
// the card's command time plus bytes over bandwidth (plus program time for writes); the
// core idles meanwhile, as it would waiting for the uSDHC DMA.
import { openSync, readSync, writeSync, closeSync } from "node:fs";
import type { BoardContext, Peripheral, PeripheralModule } from "./peripheral.ts";
import { BLOCK, validateCardImage } from "../sdcard/card-image.ts";
import { mountCard, unmountCard } from "../sdcard/mount-fat32.ts";
import { UserError } from "../errors.ts";
import { describeFsError } from "../host-files.ts";
import { SDCARD_STATUS } from "../hal-constants.ts";

const { ok: OK, noCard: NO_CARD, range: RANGE } = SDCARD_STATUS;

export class SdCard implements Peripheral {
  readonly module = "tinyboard:hal/sdcard@0.1.0";
  private fd: number | null = null;
  private blocks = 0;
  private blocksRead = 0;
  private blocksWritten = 0;

  constructor(
    private readonly ctx: BoardContext,
    readonly imagePath: string | null,
  ) {
    if (imagePath) this.insert(imagePath);
  }

  /** Puts a card (an image file) in the slot; present() reports it from now on. */
  insert(imagePath: string): void {
    this.close();
    this.blocks = validateCardImage(imagePath).blocks;
    try {
      this.fd = openSync(imagePath, "r+");
    } catch (e) {
      throw new UserError(`cannot write ${describeFsError(e, imagePath, "SD card image")}`);
    }
    // Mounted for the run (FAT[1]'s clean bit cleared); a card a killed run left is repaired first.
    const repaired = mountCard(this.fd, imagePath);
    if (repaired) process.stderr.write(`${repaired}\n`);
  }

  /** Pulls the card out: transfers fail with NO_CARD until one is inserted. */
  remove(): void {
    this.close();
    this.blocks = 0;
  }

  private transferUs(count: number, write: boolean): number {
    const t = this.ctx.target.board.sdcard;
    const bytes = count * BLOCK;
    return t.commandUs + bytes / (write ? t.writeMBps : t.readMBps) + (write ? t.writeBusyUs : 0);
  }

  private wait(count: number, write: boolean): void {
    const clock = this.ctx.clock;
    this.ctx.busy(this.ctx.target.board.timing.sdcardDriverCycles.value);
    const start = clock.now;
    this.ctx.idleUntil(start + clock.cyclesFromUs(this.transferUs(count, write)));
    if (this.ctx.events.listenerCount("peripheral"))
      this.ctx.events.emit(
        "peripheral",
        "sdcard",
        `${write ? "write" : "read"} ${count} block${count === 1 ? "" : "s"}`,
        start,
        clock.now,
      );
  }

  imports() {
    const ctx = this.ctx;
    return {
      present: () => (this.fd !== null ? 1 : 0),
      "block-count": () => this.blocks,
      "read-blocks": (lba: number, count: number, ptr: number) => {
        if (this.fd === null) return NO_CARD;
        lba >>>= 0;
        count >>>= 0;
        if (lba + count > this.blocks) return RANGE;
        const dst = ctx.memory().writable("sdcard.read-blocks", ptr, count * BLOCK);
        readSync(this.fd, dst, 0, dst.length, lba * BLOCK);
        this.blocksRead += count;
        this.wait(count, false);
        return OK;
      },
      "write-blocks": (lba: number, count: number, ptr: number) => {
        if (this.fd === null) return NO_CARD;
        lba >>>= 0;
        count >>>= 0;
        if (lba + count > this.blocks) return RANGE;
        const src = ctx.memory().read("sdcard.write-blocks", ptr, count * BLOCK);
        writeSync(this.fd, src, 0, src.length, lba * BLOCK);
        this.blocksWritten += count;
        this.wait(count, true);
        return OK;
      },
    };
  }

  stats() {
    return { sdBlocksRead: this.blocksRead, sdBlocksWritten: this.blocksWritten };
  }

  close(): void {
    if (this.fd === null) return;
    try {
      unmountCard(this.fd); // clean again, unless the firmware left it inconsistent
    } finally {
      closeSync(this.fd);
      this.fd = null;
    }
  }
}

export const sdcardPeripheral: PeripheralModule = {
  name: "sdcard",
  wit: "sdcard",
  lines: [], // blocking transfers: the driver waits, nothing raises a line
  stats: ["sdBlocksRead", "sdBlocksWritten"],
  timing: ["sdcardDriverCycles"],
  create: (ctx, setup) => new SdCard(ctx, setup.sdcard),
};
