// Checks a firmware module against the HAL world (hal/hal.wit) with jco: every import must
// be a HAL function with the declared signature, and `main` must be exported.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { importNative } from "./native-import.ts";

const WIT_FILE = fileURLToPath(new URL("../../hal/hal.wit", import.meta.url));
let witSource: string | undefined;

/** Returns null when the module fits the contract, else a one-line reason. */
export async function checkHalContract(core: Uint8Array): Promise<string | null> {
  witSource ??= readFileSync(WIT_FILE, "utf8");
  const { componentEmbed, componentNew } = await importNative("@bytecodealliance/jco"); // only builds that compile load it
  try {
    const embedded = await componentEmbed({ binary: core, witSource, world: "firmware" } as any);
    await componentNew(embedded as any);
    return null;
  } catch (e) {
    return summarize(String((e as Error).message ?? e));
  }
}

// wasm-tools errors are several lines ("failed to encode ... Caused by: ..."); keep the cause.
function summarize(message: string): string {
  const lines = message
    .split("\n")
    .map((l) => l.trim().replace(/^\d+:\s*/, ""))
    .filter(Boolean);
  const causes = lines.filter(
    (l) => !/^(Caused by:|failed to encode a component|\$?failed to decode world)/.test(l),
  );
  return (causes.slice(-2).join(": ") || lines[0] || "unknown error").replace(/^\$/, "");
}
