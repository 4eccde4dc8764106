// Source names of a debug-lines build's locals at each statement.
//
// asc names every local (`i`, `x|1` for a shadowing redeclaration, numbers or `~lib/...` for
// its temporaries), but the optimisation that runs before metering merges locals that are never
// live together and drops all names (binaryen's coalesce-locals). The cycles are those of the
// optimised code, so the debug build cannot skip that optimisation; instead the names are
// carried through it:
// - before optimising, every `local.set`/`local.tee` of a named local is tagged with the name
//   (keyed by the expression's address: binaryen keeps expressions in place while it
//   optimises, and moves or renumbers them rather than copying; code it copies, such as an
//   inlined callee's, is untagged and stays nameless);
// - after optimising, a forward data-flow over each function (reaching definitions over
//   wasm's structured control flow) gives, before each statement, the name whose assignment
//   reaches each local on every path. A local reached by two names (a merged local whose
//   variable changed on some path) or by an untagged set is not shown; one no assignment has
//   reached yet is not shown either (not declared yet), except that the initial zero of a
//   local joins any name (a loop counter's `i = 0`, which the optimiser drops).
// - a name the statement itself assigns by a folded `local.tee` (an earlier line sunk into it)
//   is not shown before it: the local still holds the value from before that line.
// Arguments keep their names when the optimiser kept the function's signature.

/** A local's state at a point: a name index, or one of these. */
const UNSET = -2; // only the local's initial zero reaches here
const HIDDEN = -1; // a temporary, or two names

export interface NamedLocal {
  index: number;
  /** As written in the source (a redeclaration's `x|1` is `x`). */
  name: string;
  /** The source's type when asc told it (`u8`, `bool`, a class), else null. */
  sourceType: string | null;
}

/** Tags of one module before optimisation (see the header). */
export interface LocalTags {
  sets: Map<number, string>;
  args: Map<string, { params: number; names: string[] }>;
  /** Per function: each named local's type as the source declares it (`u8`, `f32`, a class). */
  types: Map<string, Map<string, string>>;
  /** Per function: the first and last source line of its declaration (for its own statements). */
  lines: Map<string, [number, number]>;
}

/** A name a firmware author wrote (not a temporary): `i`, `engine`, `x|1` (`x` redeclared). */
const SOURCE_NAME = /^([A-Za-z_$][\w$]*)(?:\|(\d+))?$/;

/** The name as written in the source (`x|1` -> `x`), or null for a compiler temporary. */
export function sourceName(name: string): string | null {
  return SOURCE_NAME.exec(name)?.[1] ?? null;
}

/** An expression's children in evaluation order. */
function children(b: any, e: number): number[] {
  // Described only for the kinds below: getExpressionInfo does not know every kind, and leaves
  // (constants, local.get, ...) have no children.
  const info = () => b.getExpressionInfo(e);
  const pick = (...fields: string[]) => {
    const i = info();
    return fields.map((f) => i[f]).filter((c) => c);
  };
  switch (b.getExpressionId(e)) {
    case b.BlockId:
      return info().children;
    case b.IfId:
      return pick("condition", "ifTrue", "ifFalse");
    case b.LoopId:
      return pick("body");
    case b.BreakId:
    case b.SwitchId:
      return pick("value", "condition");
    case b.CallId:
      return info().operands;
    case b.CallIndirectId:
      return pick("operands", "target").flat();
    case b.LocalSetId:
    case b.GlobalSetId:
    case b.DropId:
    case b.ReturnId:
    case b.UnaryId:
      return pick("value");
    case b.BinaryId:
    case b.SIMDShuffleId:
      return pick("left", "right");
    case b.SelectId:
      return pick("ifTrue", "ifFalse", "condition");
    case b.LoadId:
    case b.SIMDLoadId:
      return pick("ptr");
    case b.StoreId:
    case b.AtomicRMWId:
      return pick("ptr", "value");
    case b.AtomicCmpxchgId:
      return pick("ptr", "expected", "replacement");
    case b.SIMDExtractId:
      return pick("vec");
    case b.SIMDReplaceId:
      return pick("vec", "value");
    case b.SIMDShiftId:
      return pick("vec", "shift");
    case b.SIMDTernaryId:
      return pick("a", "b", "c");
    case b.SIMDLoadStoreLaneId:
      return pick("ptr", "vec");
    case b.MemoryGrowId:
      return pick("delta");
    case b.MemoryCopyId:
      return pick("dest", "source", "size");
    case b.MemoryFillId:
      return pick("dest", "value", "size");
    case b.MemoryInitId:
      return pick("dest", "offset", "size");
    default:
      return [];
  }
}

/** Tags every assignment of a named local, and keeps argument names (call before optimising). */
export function tagLocalNames(b: any, module: any, program?: any): LocalTags {
  const tags: LocalTags = { sets: new Map(), args: new Map(), types: new Map(), lines: new Map() };
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const f = module.getFunctionByIndex(i);
    const info = b.getFunctionInfo(f);
    if (info.module || !info.body) continue;
    // Names as asc gave them (`x|1` stays distinct from `x` until shown).
    const nameOf = (l: number): string | null => {
      const name = b.Function.hasLocalName(f, l) ? b.Function.getLocalName(f, l) : "";
      return sourceName(name) ? name : null;
    };
    const params = b.expandType(info.params).length;
    // asc's locals by index (this, arguments, then its scoped locals) carry the source types.
    const instance = program?.instancesByName?.get(info.name);
    const declared: any[] = instance?.localsByIndex ?? [];
    // Its declaration's lines: a statement inlined from a function of the same file lies outside.
    const range = instance?.declaration?.range;
    if (range?.source?.lineAt)
      tags.lines.set(info.name, [range.source.lineAt(range.start), range.source.lineAt(range.end)]);
    const types = new Map<string, string>();
    for (let l = 0; l < b.Function.getNumLocals(f); l++) {
      const name = nameOf(l);
      const type = declared[l]?.type?.toString();
      // A class by its name, not asc's internal path (`firmware/text/TextBuffer`).
      if (name && typeof type === "string") types.set(name, type.replace(/^.*\//, ""));
    }
    tags.types.set(info.name, types);
    tags.args.set(info.name, {
      params: info.params,
      names: Array.from({ length: params }, (_, l) => nameOf(l) ?? `arg${l}`),
    });
    const visit = (e: number): void => {
      if (b.getExpressionId(e) === b.LocalSetId) {
        const name = nameOf(b.LocalSet.getIndex(e));
        if (name) tags.sets.set(e, name);
      }
      for (const c of children(b, e)) visit(c);
    };
    visit(info.body);
  }
  // Functions asc inlines itself (@inline) never become wasm functions: their lines too.
  for (const [name, instance] of program?.instancesByName ?? []) {
    const range = instance?.signature ? instance.declaration?.range : null;
    if (!tags.lines.has(name) && range?.source?.lineAt)
      tags.lines.set(name, [range.source.lineAt(range.start), range.source.lineAt(range.end)]);
  }
  return tags;
}

/**
 * The named locals before each statement of an optimised function: for every block child,
 * loop body and if arm (where statement hooks go), keyed by that expression.
 */
export function namedLocalsBefore(b: any, f: number, tags: LocalTags): Map<number, NamedLocal[]> {
  const info = b.getFunctionInfo(f);
  const n = b.Function.getNumLocals(f);
  const params = b.expandType(info.params).length;
  const names: string[] = [];
  const nameIndex = new Map<string, number>();
  const id = (name: string): number => {
    let k = nameIndex.get(name);
    if (k === undefined) nameIndex.set(name, (k = names.push(name) - 1));
    return k;
  };
  type State = Int32Array | null; // null: unreachable
  const join = (a: State, c: State): State => {
    if (!a) return c && c.slice();
    if (!c) return a.slice();
    const out = a.slice();
    for (let l = 0; l < n; l++) {
      if (a[l] === c[l] || c[l] === UNSET) continue;
      out[l] = a[l] === UNSET ? c[l] : HIDDEN;
    }
    return out;
  };
  const same = (a: State, c: State) => (!a || !c ? a === c : a.every((v, l) => v === c[l]));

  const entry = new Int32Array(n).fill(UNSET);
  const args = tags.args.get(info.name);
  for (let l = 0; l < params; l++)
    entry[l] = args && args.params === info.params ? id(args.names[l]) : HIDDEN;

  const before = new Map<number, State>();
  const targets = new Map<string, State>(); // label -> state of the branches to it
  const branch = (label: string, s: State) =>
    targets.set(label, join(targets.get(label) ?? null, s));

  const walk = (e: number, s: State): State => {
    const kind = b.getExpressionId(e);
    if (kind === b.BlockId) {
      const label = b.Block.getName(e);
      if (label) targets.set(label, null);
      for (const c of b.getExpressionInfo(e).children) {
        before.set(c, s && s.slice());
        s = walk(c, s);
      }
      if (label) {
        s = join(s, targets.get(label)!);
        targets.delete(label);
      }
      return s;
    }
    if (kind === b.LoopId) {
      const label = b.Loop.getName(e);
      const body = b.Loop.getBody(e);
      let head = s;
      for (;;) {
        if (label) targets.set(label, null);
        before.set(body, head && head.slice());
        const out = walk(body, head && head.slice());
        const next = label ? join(head, targets.get(label)!) : head;
        if (label) targets.delete(label);
        if (same(next, head)) return out;
        head = next;
      }
    }
    if (kind === b.IfId) {
      s = walk(b.If.getCondition(e), s);
      const t = b.If.getIfTrue(e);
      const fe = b.If.getIfFalse(e);
      before.set(t, s && s.slice());
      const afterTrue = walk(t, s && s.slice());
      if (!fe) return join(afterTrue, s);
      before.set(fe, s && s.slice());
      return join(afterTrue, walk(fe, s && s.slice()));
    }
    for (const c of children(b, e)) s = walk(c, s);
    if (!s) return null;
    switch (kind) {
      case b.LocalSetId: {
        const name = tags.sets.get(e);
        s[b.LocalSet.getIndex(e)] = name ? id(name) : HIDDEN;
        return s;
      }
      case b.BreakId:
        branch(b.Break.getName(e), s);
        return b.Break.getCondition(e) ? s : null;
      case b.SwitchId: {
        const info = b.getExpressionInfo(e);
        for (const label of new Set<string>([...info.names, info.defaultName])) branch(label, s);
        return null;
      }
      case b.ReturnId:
      case b.UnreachableId:
        return null;
      case b.CallId:
        return b.Call.isReturn(e) ? null : s;
      case b.CallIndirectId:
        return b.CallIndirect.isReturn(e) ? null : s;
      default:
        return s;
    }
  };
  before.set(info.body, entry.slice());
  walk(info.body, entry.slice());

  const types = tags.types.get(info.name);
  const out = new Map<number, NamedLocal[]>();
  for (const [e, s] of before) {
    if (!s) {
      out.set(e, []);
      continue;
    }
    const folded = foldedAssignments(b, e, tags);
    // A redeclaration (`x|1`) and the earlier `x` both reached: the later declaration is shown.
    const byName = new Map<string, { index: number; rank: number; raw: string }>();
    for (let l = 0; l < n; l++) {
      if (s[l] < 0) continue;
      const [, name, redeclared] = SOURCE_NAME.exec(names[s[l]])!;
      if (folded.has(name)) continue;
      const rank = redeclared ? Number(redeclared) : 0;
      const had = byName.get(name);
      if (!had || had.rank < rank) byName.set(name, { index: l, rank, raw: names[s[l]] });
    }
    out.set(
      e,
      [...byName]
        .map(([name, { index, raw }]) => ({ index, name, sourceType: types?.get(raw) ?? null }))
        .sort((x, y) => x.index - y.index),
    );
  }
  return out;
}

/**
 * Source names a statement assigns inside its own expression (a `local.tee`, not in a nested
 * block, loop or if arm): an earlier line's assignment the optimiser sank into this statement
 * (`total -= negative` folded into `sink += negative * total`). Before the statement the local
 * still holds the value from before that line, so it is not shown there rather than shown stale.
 */
function foldedAssignments(b: any, statement: number, tags: LocalTags): Set<string> {
  const names = new Set<string>();
  const visit = (e: number, top: boolean) => {
    const kind = b.getExpressionId(e);
    if (kind === b.BlockId || kind === b.LoopId) return;
    if (kind === b.IfId) return visit(b.If.getCondition(e), false);
    if (kind === b.LocalSetId && !top && b.LocalSet.isTee(e)) {
      const name = sourceName(tags.sets.get(e) ?? "");
      if (name) names.add(name);
    }
    for (const c of children(b, e)) visit(c, false);
  };
  visit(statement, true);
  return names;
}
