// Finds a partition in the flash window (the table the flasher writes at address 0:
// "TBPT", version, count, then 32-byte entries: name[16], offset, size, crc32, reserved).

const TABLE_MAGIC: u32 = 0x54504254; // "TBPT" read little-endian
const ENTRY_BYTES: usize = 32;

/** Address of the named partition, or 0 when flash has no such partition. */
export function partitionBase(name: string): usize {
  const at = entry(name);
  return at ? <usize>load<u32>(at, 16) : 0;
}

/** Size of the named partition in bytes (0 when absent). */
export function partitionSize(name: string): u32 {
  const at = entry(name);
  return at ? load<u32>(at, 20) : 0;
}

/** The names of the partitions in flash, comma separated ("model, labels"), for messages. */
export function partitionNames(): string {
  if (ASC_MEMORY_BASE < 16 || load<u32>(0) != TABLE_MAGIC) return "";
  const count = load<u32>(8);
  let names = "";
  for (let i: u32 = 0; i < count; i++) {
    const at: usize = 16 + <usize>i * ENTRY_BYTES;
    if (at + ENTRY_BYTES > <usize>ASC_MEMORY_BASE) break;
    let name = "";
    for (let k: usize = 0; k < 16; k++) {
      const c = load<u8>(at + k);
      if (c == 0) break;
      name += String.fromCharCode(c);
    }
    names += (i > 0 ? ", " : "") + name;
  }
  return names;
}

/** Why a partition cannot be used ("no partition named 'modle' (partitions: model)"), or "". */
export function partitionProblem(name: string): string {
  if (entry(name) != 0) return "";
  const names = partitionNames();
  return "no partition named '" + name + "' (" + (names.length > 0 ? "partitions: " + names : "flash has no partitions") + ")";
}

function entry(name: string): usize {
  if (ASC_MEMORY_BASE < 16 || load<u32>(0) != TABLE_MAGIC) return 0;
  const count = load<u32>(8);
  for (let i: u32 = 0; i < count; i++) {
    const at: usize = 16 + <usize>i * ENTRY_BYTES;
    if (at + ENTRY_BYTES > <usize>ASC_MEMORY_BASE) return 0;
    if (nameIs(at, name)) {
      const offset = load<u32>(at, 16);
      const size = load<u32>(at, 20);
      // A partition must lie inside the flash window.
      return <u64>offset + <u64>size <= <u64>ASC_MEMORY_BASE ? at : 0;
    }
  }
  return 0;
}

function nameIs(at: usize, name: string): bool {
  if (name.length > 16) return false;
  for (let i = 0; i < 16; i++) {
    const c = <i32>load<u8>(at + <usize>i);
    const want = i < name.length ? name.charCodeAt(i) : 0;
    if (c != want) return false;
  }
  return true;
}
