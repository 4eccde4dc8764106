// app.json mistakes a newcomer makes: a misspelt field or board is one line naming it, never a
// default used silently (a misspelt "heapBytes" used to build with no heap budget at all).
import test from "ava";
import path from "node:path";
import { rmSync, writeFileSync } from "node:fs";
import { tempDir } from "../helpers/tools.ts";
import { heapBytesFor, loadApp } from "../../emulator/toolchain/app.ts";

function appWith(manifest: unknown): string {
  const dir = tempDir();
  writeFileSync(path.join(dir, "main.ts"), "export function main(): void {}\n");
  writeFileSync(path.join(dir, "app.json"), JSON.stringify(manifest));
  return dir;
}

test("a misspelt app.json field is refused with the field it was meant to be", (t) => {
  const dir = appWith({ name: "typo", heapbytes: 4096 });
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const e = t.throws(() => loadApp(dir));
  t.is(e?.name, "UserError");
  t.regex(e?.message ?? "", /app\.json: unknown field 'heapbytes' \(did you mean 'heapBytes'\?\)/);
  t.false(e?.message.includes("\n"), "one line");
});

test("a field app.json does not have is refused with the list of fields", (t) => {
  const dir = appWith({ name: "extra", duration: 5 });
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const e = t.throws(() => loadApp(dir));
  t.regex(e?.message ?? "", /unknown field 'duration'; fields: name, description, entry, boards,/);
});

test("an unknown board in 'boards' is refused naming the known boards; a string is not a list", (t) => {
  const dir = appWith({ name: "boards", boards: ["rt1060", "rt1050"] });
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  t.throws(() => loadApp(dir), {
    message: /'boards' names unknown board 'rt1050' \(known boards: mcxn947, rt1060, rt1170\)/,
  });
  writeFileSync(path.join(dir, "app.json"), JSON.stringify({ name: "boards", boards: "rt1060" }));
  t.throws(() => loadApp(dir), { message: /'boards' must be a list of board ids/ });
  writeFileSync(path.join(dir, "app.json"), "[]");
  t.throws(() => loadApp(dir), { message: /app\.json: must be a JSON object/ });
});

test("every documented field is accepted", (t) => {
  const dir = appWith({
    name: "all-fields",
    description: "every field",
    entry: "main.ts",
    boards: ["rt1060", "rt1170", "mcxn947"],
    stackBytes: 4096,
    heapBytes: { "*": 4096, mcxn947: 8192 },
    partitions: [],
    inputs: { accel: "gen:rest" },
    seconds: 2,
    micArray: "linear4-35mm",
    placement: {},
    options: { BEAM: true },
  });
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const app = loadApp(dir);
  t.is(heapBytesFor(app, "mcxn947"), 8192);
  t.deepEqual(app.boards, ["rt1060", "rt1170", "mcxn947"]);
});
