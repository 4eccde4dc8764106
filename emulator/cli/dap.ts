// tinyboard dap: a Debug Adapter Protocol server on stdin/stdout.
import { DebugSession } from "@vscode/debugadapter";
import { TinyboardDebugSession } from "../debug/dap.ts";

export async function dapCommand(): Promise<void> {
  // Stdout carries the protocol: anything else printed there would corrupt it.
  console.log = console.info = (...a: unknown[]) => process.stderr.write(`${a.join(" ")}\n`);
  DebugSession.run(TinyboardDebugSession);
  await new Promise<void>((resolve) => process.stdin.on("close", resolve));
}
