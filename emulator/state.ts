// A persistent emulated board: its flash (the image written by `flash`) and its SD card
// image live in a state directory, so later runs boot what was flashed and find the card
// as earlier runs left it.
import { existsSync, mkdirSync, writeFileSync, renameSync } from "node:fs";
import path from "node:path";
import type { Image } from "./toolchain/image.ts";
import { encodeImage, readImage } from "./toolchain/image.ts";
import { createFat32Image, DEFAULT_CARD_SIZE } from "./sdcard/format-fat32.ts";
import { UserError } from "./errors.ts";
import { outputRoot } from "./paths.ts";
import { describeFsError, folder, isSystemPath, regularFile } from "./host-files.ts";

export interface BoardState {
  dir: string;
  imagePath: string;
  sdcardPath: string;
}

/** .tinyboard/<board> in the project the cwd is in (paths.ts outputRoot), or in `cwd`'s. */
export function defaultStateDir(boardId: string, cwd = process.cwd()): string {
  return path.join(outputRoot(cwd), ".tinyboard", boardId);
}

export function openState(dir: string): BoardState {
  if (isSystemPath(path.resolve(dir)))
    throw new UserError(
      `--state ${dir}: a board state folder cannot lie under /proc, /sys, /dev or /etc`,
    );
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(
      code === "EEXIST" || code === "ENOTDIR"
        ? `--state ${dir} is a file or lies under one: give a folder`
        : `cannot create board state ${describeFsError(e, dir, "folder")}`,
    );
  }
  folder(dir, "board state");
  return { dir, imagePath: path.join(dir, "flash.tbi"), sdcardPath: path.join(dir, "sdcard.img") };
}

/** Writes the image into the board's flash; gives it a blank FAT32 card if it has none. */
export function flashImage(state: BoardState, image: Image): void {
  const tmp = state.imagePath + ".tmp";
  try {
    writeFileSync(tmp, encodeImage(image));
    renameSync(tmp, state.imagePath); // a crash mid-flash leaves the old image, not half a new one
    writeFileSync(
      path.join(state.dir, "board.json"),
      JSON.stringify(
        {
          board: image.manifest.board,
          core: image.manifest.core,
          app: image.manifest.app,
          sourceHash: image.manifest.build.sourceHash,
        },
        null,
        2,
      ) + "\n",
    );
  } catch (e) {
    throw new UserError(`cannot flash: ${describeFsError(e, state.dir, "board state")}`);
  }
  ensureCard(state.sdcardPath);
}

export function ensureCard(file: string, sizeBytes = DEFAULT_CARD_SIZE): void {
  if (existsSync(file)) return;
  if (isSystemPath(path.resolve(file)))
    throw new UserError(`SD card image ${file}: cannot lie under /proc, /sys, /dev or /etc`);
  try {
    createFat32Image(file, sizeBytes, { label: "TINYBOARD" });
  } catch (e) {
    throw new UserError(`cannot create ${describeFsError(e, file, "SD card image")}`);
  }
}

export function flashedImage(state: BoardState, boardId: string): Image {
  if (!existsSync(state.imagePath)) {
    throw new UserError(
      `nothing is flashed on ${boardId} (state ${state.dir}): run 'tinyboard flash <app|image> --board ${boardId}' first, or give an app to run`,
    );
  }
  regularFile(state.imagePath, "flashed image");
  return readImage(state.imagePath);
}
