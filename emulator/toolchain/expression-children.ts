// Which fields of each binaryen expression kind hold child expressions, for the passes that
// walk firmware code (the metering pass, the image verifier, the call graph). Kinds are
// binaryen's class names (`binaryen[kind + "Id"]`, `binaryen[kind].getX`); a block's children
// and a call's operands are lists, read separately (`children`, `operands`).
// The table covers what a build can contain (core, SIMD, bulk memory, atomics); which of these
// an image may use is each reader's own rule (the verifier admits a subset).
export const EXPRESSION_CHILDREN: Readonly<Record<string, readonly string[]>> = {
  Block: [],
  If: ["condition", "ifTrue", "ifFalse"],
  Loop: ["body"],
  Break: ["condition", "value"],
  Switch: ["condition", "value"],
  Call: [],
  CallIndirect: ["target"],
  LocalGet: [],
  LocalSet: ["value"],
  GlobalGet: [],
  GlobalSet: ["value"],
  Load: ["ptr"],
  Store: ["ptr", "value"],
  Const: [],
  Unary: ["value"],
  Binary: ["left", "right"],
  Select: ["ifTrue", "ifFalse", "condition"],
  Drop: ["value"],
  Return: ["value"],
  MemorySize: [],
  MemoryGrow: ["delta"],
  Nop: [],
  Unreachable: [],
  MemoryCopy: ["dest", "source", "size"],
  MemoryFill: ["dest", "value", "size"],
  MemoryInit: ["dest", "offset", "size"],
  DataDrop: [],
  SIMDExtract: ["vec"],
  SIMDReplace: ["vec", "value"],
  SIMDShuffle: ["left", "right"],
  SIMDTernary: ["a", "b", "c"],
  SIMDShift: ["vec", "shift"],
  SIMDLoad: ["ptr"],
  SIMDLoadStoreLane: ["ptr", "vec"],
  AtomicRMW: ["ptr", "value"],
  AtomicCmpxchg: ["ptr", "expected", "replacement"],
  AtomicWait: ["ptr", "expected", "timeout"],
  AtomicNotify: ["ptr", "notifyCount"],
  AtomicFence: [],
};

/** Kinds with a list of operands besides their fields. */
export const HAS_OPERANDS: ReadonlySet<string> = new Set(["Call", "CallIndirect"]);

/** binaryen's expression id -> kind name, for the kinds in the table. */
export function expressionKinds(binaryen: any): Map<number, string> {
  const kinds = new Map<number, string>();
  for (const kind of Object.keys(EXPRESSION_CHILDREN)) kinds.set(binaryen[`${kind}Id`], kind);
  return kinds;
}

/** The child expressions of `e` (of a kind in the table), from its binaryen info. */
export function childrenOf(kind: string, info: any): number[] {
  if (kind === "Block") return info.children;
  const fields = EXPRESSION_CHILDREN[kind].map((f) => info[f]);
  return HAS_OPERANDS.has(kind) ? [...fields, ...info.operands] : fields;
}
