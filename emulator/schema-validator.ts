// JSON Schema validators compiled once, not once per process. Loading ajv and compiling the
// board schema cost every process ~0.2 CPU s (every CLI run and test file loads a board). The
// code ajv generates for a schema (its "standalone" output, the same validation function) is
// kept in the build cache under the digest of the schema, the options and ajv's version; a
// process that finds it runs it without loading ajv.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { ValidateFunction } from "ajv"; // the type only: ajv loads when a schema compiles
import { cacheDir } from "./paths.ts";

/** An ajv validation function: true or false, with `errors` set after a false. */
export type Validator = ValidateFunction;

const require = createRequire(import.meta.url);
const OPTIONS = { allErrors: false, strict: false } as const;

/** Runs ajv's standalone module code, its `require`s resolved from here (ajv's runtime parts). */
function load(code: string): Validator {
  const module = { exports: {} as { default?: Validator } };
  new Function("module", "exports", "require", code)(module, module.exports, require);
  return (module.exports.default ?? module.exports) as Validator;
}

/** A validator for `schema`: the kept one, else compiled by ajv now (and kept). */
export function schemaValidator(schema: object): Validator {
  const ajvVersion = require("ajv/package.json").version as string;
  const key = createHash("sha256")
    .update(JSON.stringify({ schema, options: OPTIONS, ajvVersion }))
    .digest("hex")
    .slice(0, 32);
  const file = path.join(cacheDir(), "validators", `${key}.cjs`);
  try {
    return load(readFileSync(file, "utf8"));
  } catch {
    // not kept yet (or unreadable): compile below
  }
  const { Ajv } = require("ajv") as typeof import("ajv");
  const standalone = require("ajv/dist/standalone").default as (
    ajv: unknown,
    validate: unknown,
  ) => string;
  const ajv = new Ajv({ ...OPTIONS, code: { source: true } });
  const validate = ajv.compile(schema);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, standalone(ajv, validate));
    renameSync(tmp, file); // whole or not at all: other processes read it
  } catch {
    // a read-only cache: the next process compiles again
  }
  return validate as Validator;
}
