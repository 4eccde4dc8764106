// The resolve hook of binaryen-watch.mjs (module hooks run in their own thread).
import { appendFileSync } from "node:fs";

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  const log = process.env.TINYBOARD_BINARYEN_WATCH;
  if (log && resolved.url.includes("/node_modules/binaryen/")) appendFileSync(log, `${resolved.url}\n`);
  return resolved;
}
