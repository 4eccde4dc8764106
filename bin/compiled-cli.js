// Which code bin/tinyboard.js runs: the CLI compiled ahead of time (cli-build.js) when that
// build was made from the sources as they are now, else the TypeScript through tsx's loader.
// tsx's loader costs every process ~0.5 CPU s before it does anything (on Node 20 it starts a
// thread for the module hooks and sends each resolve and load to it); the suite spawns the CLI
// hundreds of times. The build is made on the first run that finds none up to date, one process
// at a time: others meanwhile run through tsx (compiled-build.js). TINYBOARD_CLI_JS=off always
// runs through tsx.
import { compiledBuild } from "./compiled-build.js";

/** The folder of an up-to-date compiled CLI (built now if there is none), or null. */
export async function compiledCli(root) {
  if (process.env.TINYBOARD_CLI_JS === "off") return null;
  return compiledBuild(root, "cli-js", "cli.js", async (r) =>
    (await import("./cli-build.js")).buildCli(r),
  );
}
