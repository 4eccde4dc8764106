// The verifier's notion of "then the host is reached": statements that do no work of their
// own (plain sets of locals and globals) up to a call of the meter's tick. Shared by the loop
// rules (verify-image.ts) and the recursion rules (verify-recursion.ts).
import binaryen from "./binaryen.ts";

const B = binaryen as any;

/** Values without control flow or calls: gets, constants, arithmetic, tees. */
export function plain(r: number): boolean {
  const id = B.getExpressionId(r);
  if (id === B.LocalGetId || id === B.GlobalGetId || id === B.ConstId) return true;
  const x = B.getExpressionInfo(r);
  if (id === B.UnaryId) return plain(x.value);
  if (id === B.BinaryId) return plain(x.left) && plain(x.right);
  if (id === B.LocalSetId && x.isTee) return plain(x.value);
  return false;
}

/** kids[from..] are plain sets up to a `call tick`. */
export function setsThenTick(
  kids: number[],
  from: number,
  isTick: (r: number) => boolean,
): boolean {
  for (let j = from; j < kids.length; j++) {
    if (isTick(kids[j])) return true;
    const id = B.getExpressionId(kids[j]);
    if ((id !== B.LocalSetId && id !== B.GlobalSetId) || !plain(B.getExpressionInfo(kids[j]).value))
      return false;
  }
  return false;
}

/** The statements after `after` in `block` are plain sets up to a `call tick`. */
export function leadsToTick(block: number, after: number, isTick: (r: number) => boolean): boolean {
  const kids: number[] = B.getExpressionInfo(block).children;
  const i = kids.indexOf(after);
  return i >= 0 && setsThenTick(kids, i + 1, isTick);
}
