// Which statements may send control somewhere other than the statement after them: a branch
// (br, br_if, br_table) to a label the statement does not itself define, a return, or a trap.
// The metering pass ends a region after such a statement, so that the charge at a region's
// start covers only code that runs whenever the start runs (meter-regions.ts): a switch's case
// bodies, the code after `if (x) { ...; break }` or an early return are charged where they run,
// not at the entry of the block that holds them.
import { childrenOf, expressionKinds } from "./expression-children.ts";

type Ref = number;

/** Stands for "leaves the function" (return, or a trap) among the labels a statement reaches. */
const LEAVES_FUNCTION = "\0function";
const NONE: ReadonlySet<string> = new Set();

export class BranchExits {
  /** The labels (and LEAVES_FUNCTION) each expression may reach outside itself. */
  private readonly memo = new Map<Ref, ReadonlySet<string>>();
  private readonly kinds: Map<number, string>;

  constructor(
    private readonly binaryen: any,
    private readonly skip?: Set<number>,
  ) {
    this.kinds = expressionKinds(binaryen);
  }

  /** Whether control may leave `e` other than by falling through to what follows it. */
  leaves(e: Ref): boolean {
    return this.targets(e).size > 0;
  }

  private targets(e: Ref): ReadonlySet<string> {
    let found = this.memo.get(e);
    if (found === undefined) {
      found = this.compute(e);
      this.memo.set(e, found);
    }
    return found;
  }

  private compute(e: Ref): ReadonlySet<string> {
    const B = this.binaryen;
    if (this.skip?.has(e)) return NONE;
    const kind = this.kinds.get(B.getExpressionId(e));
    if (kind === "Unreachable") return new Set([LEAVES_FUNCTION]);
    if (!kind || kind === "Nop") return NONE; // binaryen has no info for Nop
    const x = B.getExpressionInfo(e);
    const own: string[] =
      kind === "Break"
        ? [x.name]
        : kind === "Switch"
          ? [...x.names, x.defaultName]
          : kind === "Return"
            ? [LEAVES_FUNCTION]
            : [];
    let out: Set<string> | null = own.length ? new Set(own) : null;
    for (const k of childrenOf(kind, x)) {
      const inner = k ? this.targets(k) : NONE;
      if (!inner.size) continue;
      out ??= new Set();
      for (const l of inner) out.add(l);
    }
    // A branch to a block's own label lands right after it; one to a loop's stays inside it.
    if (out && (kind === "Block" || kind === "Loop") && x.name) out.delete(x.name);
    return out && out.size ? out : NONE;
  }
}
