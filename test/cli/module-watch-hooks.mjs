// The resolve hook of module-watch.mjs (module hooks run in their own thread).
import { appendFileSync } from "node:fs";

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  const log = process.env.TINYBOARD_MODULE_WATCH;
  if (log) appendFileSync(log, `${resolved.url}\n`);
  return resolved;
}
