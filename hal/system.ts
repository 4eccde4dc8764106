// Start-up and fatal errors (tinyboard:hal/system).
@external("tinyboard:hal/system@0.1.0", "panic") declare function panicRaw(msg: u32, file: u32, line: u32, column: u32): void;
@external("tinyboard:hal/system@0.1.0", "exit") export declare function exit(code: u32): void;

/** Installed as AssemblyScript's `abort` by the build (--use abort=...). */
export function abort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  panicRaw(<u32>changetype<usize>(message), <u32>changetype<usize>(fileName), line, column);
  unreachable();
}

/** End of static data. Referencing it makes asc emit __heap_base even in firmware that
 * never allocates, so the build can count static SRAM exactly. */
export function staticEnd(): usize {
  return __heap_base;
}
