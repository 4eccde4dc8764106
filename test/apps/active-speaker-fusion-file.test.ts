// fusion.txt as measure-direction.ts --write and fit-app-fusion.ts --write rewrite it: the lines
// of arrays not refitted in a run are read back with their comments (readFusionFile) and written
// again unchanged, under the writers' shared header.
import test from "ava";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  FUSION_FILE,
  FUSION_HEADER,
  readFusionFile,
  writeFusionFile,
} from "../../apps/active-speaker/train/fusion-weights.ts";

test("the committed fusion file reads back line for line, with each line's comment", (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tb-fusion-"));
  try {
    const lines = readFusionFile();
    t.true(lines.length >= 2);
    t.true(lines.every((l) => l.comment.length > 0));
    const copy = path.join(dir, "fusion.txt");
    writeFusionFile(lines, FUSION_HEADER, copy);
    t.is(readFileSync(copy, "utf8"), readFileSync(FUSION_FILE, "utf8"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
