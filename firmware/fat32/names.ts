// FAT names: 8.3 short names, VFAT long-name entries (13 UTF-16 characters each) and the
// "BASIS~N.EXT" alias a long name gets. Names are read from the caller's string in place.

import { ld8, ld16, st8, st16 } from "./volume";

export const ATTR_LFN: u32 = 0x0f;
const MAX_LFN: i32 = 255;

export function isShortChar(c: i32): bool {
  if ((c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)) return true;
  // ! # $ % & ' ( ) - @ ^ _ ` { } ~
  return c == 0x21 || (c >= 0x23 && c <= 0x29) || c == 0x2d || c == 0x40 || (c >= 0x5e && c <= 0x60) ||
    c == 0x7b || c == 0x7d || c == 0x7e;
}

@inline export function upper(c: i32): i32 { return c >= 0x61 && c <= 0x7a ? c - 0x20 : c; }

/** Fill `out` with the 8.3 form of s[a..b) (upper-cased); false if it does not fit 8.3 exactly. */
export function toShortName(s: string, a: i32, b: i32, out: usize): bool {
  memory.fill(out, 0x20, 11);
  let n = 0;
  let i = a;
  for (; i < b; i++) {
    const c = upper(s.charCodeAt(i));
    if (c == 0x2e) break;
    if (!isShortChar(c) || n == 8) return false;
    st8(out + n++, c);
  }
  if (n == 0) return false;
  if (i < b) { // extension after the dot
    i++;
    if (i == b) return false; // "NAME." is not a name
    let e = 0;
    for (; i < b; i++) {
      const c = upper(s.charCodeAt(i));
      if (!isShortChar(c) || e == 3) return false;
      st8(out + 8 + e++, c);
    }
  }
  return true;
}

/** Is s[a..b) acceptable as a long file name? */
export function isLongName(s: string, a: i32, b: i32): bool {
  const n = b - a;
  if (n <= 0 || n > MAX_LFN) return false;
  const last = s.charCodeAt(b - 1);
  if (last == 0x2e || last == 0x20) return false; // trailing dot or space
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c == 0x22 || c == 0x2a || c == 0x2f || c == 0x3a || c == 0x3c || c == 0x3e || c == 0x3f ||
      c == 0x5c || c == 0x7c || c == 0x7f) return false;
  }
  return true;
}

export function shortChecksum(p: usize): u32 {
  let sum: u32 = 0;
  for (let i = 0; i < 11; i++) sum = ((((sum & 1) << 7) | (sum >> 1)) + ld8(p + i)) & 0xff;
  return sum;
}

/** UTF-16 character offsets inside a long-name entry (13 characters per entry). */
const lfnOffsets: usize = memory.data<u8>([1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30]);

export function lfnPartMatches(p: usize, first: i32, s: string, a: i32, len: i32): bool {
  for (let j = 0; j < 13; j++) {
    const ch = <i32>ld16(p + ld8(lfnOffsets + j));
    const k = first + j;
    if (k < len) {
      if (upper(ch) != upper(s.charCodeAt(a + k))) return false;
    } else {
      return k > len || ch == 0; // terminator right after the name, then padding
    }
  }
  return true;
}

export function fillLongEntry(p: usize, ord: u32, last: bool, sum: u32, s: string, a: i32, len: i32): void {
  st8(p, last ? ord | 0x40 : ord);
  st8(p + 11, ATTR_LFN);
  st8(p + 12, 0);
  st8(p + 13, sum);
  st16(p + 26, 0);
  const first = <i32>(ord - 1) * 13;
  for (let j = 0; j < 13; j++) {
    const k = first + j;
    const ch: u32 = k < len ? <u32>s.charCodeAt(a + k) : k == len ? 0 : 0xffff;
    st16(p + ld8(lfnOffsets + j), ch);
  }
}

/** Build the alias "BASIS~N.EXT" for a long name into out. */
export function makeAlias(s: string, a: i32, b: i32, tail: u32, out: usize): void {
  memory.fill(out, 0x20, 11);
  let start = a;
  while (start < b && s.charCodeAt(start) == 0x2e) start++;
  let dot = -1;
  for (let i = b - 1; i >= start; i--) if (s.charCodeAt(i) == 0x2e) { dot = i; break; }
  const baseEnd = dot < 0 ? b : dot;
  let digits = 1;
  for (let t = tail; t >= 10; t /= 10) digits++;
  const maxBase = 7 - digits;
  let n = 0;
  for (let i = start; i < baseEnd && n < maxBase; i++) {
    const c = upper(s.charCodeAt(i));
    if (c == 0x20 || c == 0x2e) continue;
    st8(out + n++, isShortChar(c) ? c : 0x5f);
  }
  if (n == 0) st8(out + n++, 0x5f);
  st8(out + n++, 0x7e); // '~'
  for (let d = digits - 1, t = tail; d >= 0; d--, t /= 10) st8(out + n + d, 0x30 + t % 10);
  if (dot >= 0) {
    let e = 0;
    for (let i = dot + 1; i < b && e < 3; i++) {
      const c = upper(s.charCodeAt(i));
      if (c == 0x20 || c == 0x2e) continue;
      st8(out + 8 + e++, isShortChar(c) ? c : 0x5f);
    }
  }
}
