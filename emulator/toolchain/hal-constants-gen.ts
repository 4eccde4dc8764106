// Writes the firmware's copy of the HAL's numbers (emulator/hal-constants.ts) into the marked
// blocks of hal/*.ts, so firmware and host cannot drift apart. Run: npm run gen:hal
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { FIRMWARE_CONSTANTS } from "../hal-constants.ts";

export const HAL_DIR = fileURLToPath(new URL("../../hal/", import.meta.url));
const BEGIN =
  "// --- generated from emulator/hal-constants.ts by `npm run gen:hal`: do not edit ---";
const END = "// --- end of generated constants ---";

/** The modules (hal/<name>.ts) that carry a generated block. */
export function generatedModules(): string[] {
  return [...new Set(FIRMWARE_CONSTANTS.map((g) => g.module))];
}

/** The generated block of hal/<module>.ts, markers included. */
export function generatedBlock(module: string): string {
  const lines = [BEGIN];
  for (const group of FIRMWARE_CONSTANTS.filter((g) => g.module === module)) {
    lines.push(`/** ${group.doc} */`);
    for (const [name, value] of Object.entries(group.values))
      lines.push(`export const ${name}: ${group.type} = ${value};`);
  }
  lines.push(END);
  return lines.join("\n");
}

/** `source` (hal/<module>.ts) with its generated block brought up to date. */
export function withGeneratedBlock(source: string, module: string): string {
  const from = source.indexOf(BEGIN);
  const to = source.indexOf(END);
  if (from < 0 || to < from)
    throw new Error(`hal/${module}.ts has no generated-constants block (add the two marker lines)`);
  return source.slice(0, from) + generatedBlock(module) + source.slice(to + END.length);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const module of generatedModules()) {
    const file = `${HAL_DIR}${module}.ts`;
    const before = readFileSync(file, "utf8");
    const after = withGeneratedBlock(before, module);
    if (after !== before) {
      writeFileSync(file, after);
      console.log(`updated hal/${module}.ts`);
    }
  }
}
