// Where each function's code lies in a WebAssembly binary (its code section), so a code offset
// from a wasm stack frame can be kept to its own function when it is mapped to a source line.
// Format: the WebAssembly core specification, 5.5 "Modules" (sections, the code section's
// size-prefixed bodies).

export interface CodeRange {
  start: number;
  end: number;
}

/** Byte ranges of the function bodies, in code order (empty for a binary it cannot read). */
export function functionBodies(wasm: Uint8Array): CodeRange[] {
  let at = 8; // magic and version
  const u32 = (): number => {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (at >= wasm.length) throw new RangeError("truncated");
      const byte = wasm[at++];
      result += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) return result;
    }
    throw new RangeError("LEB128 too long");
  };
  try {
    while (at < wasm.length) {
      const id = wasm[at++];
      const size = u32();
      const end = at + size;
      if (id !== 10) {
        at = end;
        continue;
      }
      const bodies: CodeRange[] = [];
      for (let n = u32(); n > 0; n--) {
        const length = u32();
        bodies.push({ start: at, end: at + length });
        at += length;
      }
      return bodies;
    }
  } catch {
    // A damaged binary never reaches a run; locations then fall back to the nearest mapping.
  }
  return [];
}

/** The body holding `offset`, if any (bodies in code order). */
export function bodyAt(bodies: CodeRange[], offset: number): CodeRange | null {
  let lo = 0,
    hi = bodies.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (bodies[mid].end <= offset) lo = mid + 1;
    else if (bodies[mid].start > offset) hi = mid - 1;
    else return bodies[mid];
  }
  return null;
}
