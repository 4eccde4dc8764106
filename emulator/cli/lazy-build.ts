// The compiler (asc, binaryen, jco) takes seconds to load: only commands that build pay for it.
import type * as Build from "../toolchain/build.ts";

export async function buildApp(
  ...args: Parameters<typeof Build.buildApp>
): ReturnType<typeof Build.buildApp> {
  return (await import("../toolchain/build.ts")).buildApp(...args);
}

export async function cachedBuild(
  ...args: Parameters<typeof Build.cachedBuild>
): Promise<ReturnType<typeof Build.cachedBuild>> {
  return (await import("../toolchain/build.ts")).cachedBuild(...args);
}
