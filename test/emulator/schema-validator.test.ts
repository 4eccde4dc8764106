// A kept validator (schema-validator.ts: ajv's generated code, read from the build cache) gives
// the verdicts and errors ajv's own compile gives, and a changed schema is never checked by the
// code kept for the old one.
import test from "ava";
import { Ajv } from "ajv";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { schemaValidator } from "../../emulator/schema-validator.ts";
import { BOARDS_DIR } from "../../emulator/board.ts";
import { tempDir } from "../helpers/tools.ts";

const cache = tempDir("tinyboard-validators-");
process.env.TINYBOARD_BUILD_CACHE = cache; // this test process's own cache
test.after.always(() => rmSync(cache, { recursive: true, force: true }));

const schema = JSON.parse(readFileSync(path.join(BOARDS_DIR, "board.schema.json"), "utf8"));
const board = JSON.parse(readFileSync(path.join(BOARDS_DIR, "rt1060.json"), "utf8"));
const kept = () => readdirSync(path.join(cache, "validators")).filter((f) => f.endsWith(".cjs"));

/** rt1060.json and broken copies of it: a field missing, a wrong type, an unknown field. */
function boards(): unknown[] {
  const copies: unknown[] = [board, {}, null, "rt1060"];
  for (const key of Object.keys(board)) {
    const without = structuredClone(board);
    delete without[key];
    copies.push(without, { ...structuredClone(board), [key]: 12345 });
  }
  copies.push({ ...structuredClone(board), notAField: true });
  return copies;
}

test.serial("the kept board validator gives ajv's verdicts and errors", (t) => {
  const reference = new Ajv({ allErrors: false, strict: false }).compile(schema);
  const compiled = schemaValidator(schema); // compiles and keeps
  t.is(kept().length, 1);
  const fromDisk = schemaValidator(schema); // the kept code
  t.not(fromDisk, compiled);
  let refused = 0;
  for (const b of boards()) {
    const want = reference(b);
    t.is(compiled(b), want);
    t.is(fromDisk(b), want);
    t.deepEqual(fromDisk.errors ?? null, reference.errors ?? null);
    if (!want) refused++;
  }
  t.true(refused > 10, `${refused} broken boards refused`);
});

test.serial("a changed schema gets its own validator, not the one kept for the old", (t) => {
  schemaValidator(schema);
  const stricter = structuredClone(schema);
  stricter.required = [...schema.required, "mustNowBeThere"];
  t.false(schemaValidator(stricter)(board), "the new requirement is checked");
  t.true(schemaValidator(schema)(board));
  t.false(schemaValidator(stricter)(board), "kept, and still checked");
  t.is(kept().length, 2);
});
