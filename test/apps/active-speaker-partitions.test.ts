// apps/active-speaker's text partitions with an error: a seats.txt line without its five fields
// and a fusion.txt weight that is not a number, flashed into the built image
// (apps/active-speaker/train/image-partitions.ts) and run with `tinyboard run image.tbi`: the
// app prints one line naming the line and the problem and exits 2, before the camera starts.
import test from "ava";
import path from "node:path";
import { loadTarget } from "../../emulator/board.ts";
import { buildApp } from "../../emulator/toolchain/build.ts";
import { writeImage, type Image } from "../../emulator/toolchain/image.ts";
import { withPartitionText } from "../../apps/active-speaker/train/image-partitions.ts";
import { tempDir } from "../helpers/tools.ts";
import { cli } from "../faults/helpers.ts";

const APP = "apps/active-speaker";

const cases: [string, string, string, string][] = [
  [
    "a seat line without its five fields",
    "seats",
    "ana 0.3 0.4",
    "active-speaker: seats line 1: want 'name cx cy hw hh'",
  ],
  [
    "a fusion weight that is not a number",
    "fusion",
    "2 abc 1 1 1",
    "active-speaker: fusion line 1: 'abc' is not a number",
  ],
];

// One build for both cases. The seats are read only without the face detector; the fusion
// weights always.
let image: Promise<Image> | undefined;
const seatsImage = () =>
  (image ??= buildApp(path.resolve(APP), loadTarget("rt1170"), {
    appOptions: { FACE_DETECTOR: false },
  }).then((b) => b.image));

for (const [what, partition, text, line] of cases)
  test(`${what} is one line and exit code 2`, async (t) => {
    const file = path.join(tempDir("tinyboard-asd-part-"), `${partition}.tbi`);
    writeImage(file, withPartitionText(await seatsImage(), partition, text));
    const r = cli(["run", file, "--board", "rt1170", "--seconds", "1"]);
    t.is(r.status, 2, r.stdout + r.stderr);
    const firmware = r.stdout.split("\n--- ")[0].trimEnd().split("\n");
    t.deepEqual(firmware, [line]);
    t.regex(r.stdout, /firmware exit\(2\)/);
    t.notRegex(r.stderr, /\n\s+at /); // no stack trace
  });
