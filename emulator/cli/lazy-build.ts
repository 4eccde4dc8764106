// The compiler (asc, binaryen, jco) takes seconds to load: only commands that build pay for it.
import type * as Build from "../build/build.ts";

export async function buildApp(...args: Parameters<typeof Build.buildApp>): ReturnType<typeof Build.buildApp> {
  return (await import("../build/build.ts")).buildApp(...args);
}
