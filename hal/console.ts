// The debug UART (tinyboard:hal/console).
@external("tinyboard:hal/console@0.1.0", "write") declare function consoleWrite(ptr: u32, len: u32): void;

/** Write raw bytes. */
export function writeBytes(ptr: usize, len: u32): void {
  consoleWrite(<u32>ptr, len);
}

/** Write a string as UTF-8. */
export function print(s: string): void {
  const buf = String.UTF8.encode(s);
  consoleWrite(<u32>changetype<usize>(buf), <u32>buf.byteLength);
}

export function println(s: string): void {
  print(s + "\n");
}
