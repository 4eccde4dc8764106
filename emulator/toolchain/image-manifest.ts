// An image's manifest is untrusted: its shape is checked with a JSON schema (ajv, as the
// boards are) when the image is read, and its layout against the board it is to run on.
import { schemaValidator, type Validator } from "../schema-validator.ts";
import type { Target } from "../board.ts";
// The wasm page (not imported from flash-layout.ts: that would be an import cycle through image.ts).
const PAGE = 65536;
import type { CodeFacts } from "./verify-image.ts";
import { MAX_EMULATED_SECONDS } from "../cli/options.ts";
import type { Image, ImageManifest } from "./image.ts";

const uint = (max = 2 ** 32 - 1) => ({ type: "integer", minimum: 0, maximum: max });
const id = { type: "string", pattern: "^[a-z0-9][a-z0-9-]{0,63}$" };

// Unknown top-level fields are allowed (newer tinyboards may add some; the runner reads none
// of them); the fields the runner does read are exact.
const SCHEMA = {
  type: "object",
  required: [
    "format",
    "app",
    "board",
    "core",
    "coreType",
    "clockHz",
    "build",
    "layout",
    "usage",
    "partitions",
    "meter",
    "defaults",
  ],
  properties: {
    format: { const: 2 },
    app: id,
    board: id,
    core: id,
    coreType: { enum: ["cortex-m7", "cortex-m33", "cortex-m4"] },
    clockHz: { type: "integer", minimum: 1, maximum: 10e9 },
    build: { type: "object" },
    layout: {
      type: "object",
      additionalProperties: false,
      required: ["flashWindow", "sramBase", "sramBytes", "maxPages", "staticEnd", "stackBytes"],
      properties: {
        flashWindow: { type: "integer", minimum: PAGE, maximum: 2 ** 31, multipleOf: PAGE },
        sramBase: { type: "integer", minimum: PAGE, maximum: 2 ** 31 },
        sramBytes: { type: "integer", minimum: PAGE, maximum: 2 ** 31, multipleOf: PAGE },
        maxPages: { type: "integer", minimum: 2, maximum: 65536 },
        staticEnd: uint(),
        stackBytes: uint(2 ** 31),
      },
    },
    usage: { type: "object" },
    partitions: {
      type: "array",
      maxItems: 256,
      items: {
        type: "object",
        required: ["name", "offset", "size", "crc32"],
        properties: {
          name: { type: "string", maxLength: 64 },
          offset: uint(),
          size: uint(),
          crc32: uint(),
          source: { type: "string", maxLength: 4096 },
        },
      },
    },
    meter: { type: ["object", "null"] },
    // Read by the runner: exact, then checked against the board (memory-hierarchy/placement.ts).
    placement: {
      type: "object",
      additionalProperties: false,
      properties: Object.fromEntries(
        ["arena", "frameBuffer", "model"].map((item) => [
          item,
          {
            type: "object",
            additionalProperties: false,
            required: ["region"],
            properties: {
              region: { type: "string", pattern: "^[A-Za-z0-9_]{1,64}$" },
              bytes: uint(),
            },
          },
        ]),
      ),
    },
    defaults: {
      type: "object",
      additionalProperties: false,
      required: ["inputs", "seconds"],
      properties: {
        inputs: {
          type: "object",
          maxProperties: 16,
          propertyNames: { pattern: "^[a-z][a-z0-9-]{0,31}$" },
          additionalProperties: { type: "string", maxLength: 4096 },
        },
        seconds: { type: "number", exclusiveMinimum: 0, maximum: MAX_EMULATED_SECONDS },
        // A bundled array name or a JSON file relative to the project root, never outside it.
        micArray: {
          type: "string",
          maxLength: 256,
          pattern: "^(?!/)(?!.*\\.\\.)[A-Za-z0-9._/-]+$",
        },
      },
    },
  },
};

let validator: Validator | undefined;

/** Null when the manifest has the shape an image's must have, else the first problem. */
export function manifestProblem(manifest: unknown): string | null {
  validator ??= schemaValidator(SCHEMA);
  if (validator(manifest)) return null;
  const e = validator.errors![0];
  return `manifest ${e.instancePath || "(root)"} ${e.message}`;
}

/**
 * Null when the image's layout is the one a build for this board makes (flash window, SRAM
 * and memory limits, static data and stack inside SRAM, partitions inside flash), else why not.
 */
export function layoutProblem(image: Image, target: Target, mem: CodeFacts): string | null {
  const m: ImageManifest = image.manifest;
  const { layout: l } = m;
  if (m.coreType !== target.core.type)
    return `it was metered for a ${m.coreType}, ${target.board.id}/${target.core.id} is a ${target.core.type}`;
  if (l.sramBase !== l.flashWindow)
    return `its SRAM starts at ${l.sramBase}, not at the end of its flash window (${l.flashWindow})`;
  if (l.sramBytes !== target.sramBytes)
    return `its layout has ${l.sramBytes} B of SRAM, ${target.board.id}/${target.core.id} has ${target.sramBytes} B`;
  if (l.flashWindow > target.board.flash.size)
    return `its flash window (${l.flashWindow} B) is larger than ${target.board.flash.name} (${target.board.flash.size} B)`;
  if (l.maxPages * PAGE !== l.flashWindow + l.sramBytes)
    return `its memory limit (${l.maxPages} pages) is not its flash window plus SRAM`;
  if (l.staticEnd < l.sramBase || l.staticEnd > l.sramBase + l.sramBytes)
    return `its static data ends at ${l.staticEnd}, outside SRAM`;
  if (l.stackBytes > l.sramBytes) return `its stack budget (${l.stackBytes} B) is larger than SRAM`;
  if (image.flash.length > l.flashWindow)
    return `its flash contents (${image.flash.length} B) are larger than its flash window`;
  for (const p of m.partitions)
    if (p.offset + p.size > image.flash.length)
      return `partition '${p.name}' lies outside its flash contents`;
  if (mem.memoryMax !== l.maxPages)
    return `its code's memory limit (${mem.memoryMax ?? "none"} pages) differs from its layout (${l.maxPages})`;
  if (mem.memoryMin > l.maxPages)
    return `its code needs ${mem.memoryMin} pages of memory, more than its layout's ${l.maxPages}`;
  return null;
}
