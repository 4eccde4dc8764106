// The functions of a module that can call themselves, directly or through others: the ones on
// a cycle of its call graph. Loop heads are where the meter checks time, so recursion without
// loops (naive fib, mutual recursion) would never be checked; these functions get the check at
// their entry instead (meter.ts), and the verifier requires it there (verify-image.ts).
// The graph over-approximates: `call_indirect` may reach every function in any table whose
// signature matches, and a function with `call_ref` or any expression kind this walk does not
// know (none that builds emit; the verifier refuses them) may call anything. Imports never
// call back in (the host runs only `_start` and `main`).
import { EXPRESSION_CHILDREN, HAS_OPERANDS, expressionKinds } from "./expression-children.ts";

type Binaryen = any;

/** Names of the module's own functions that lie on a call-graph cycle (a self-call included). */
export function recursiveFunctions(binaryen: Binaryen, module: any): Set<string> {
  const B = binaryen;
  const kinds = expressionKinds(B);
  const names: string[] = [];
  const signature = new Map<string, string>();
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const f = B.getFunctionInfo(module.getFunctionByIndex(i));
    if (f.module) continue;
    names.push(f.name);
    signature.set(f.name, `${f.params}:${f.results}`);
  }
  const inTables = new Set<string>();
  for (let i = 0; i < module.getNumElementSegments(); i++) {
    for (const n of B.getElementSegmentInfo(module.getElementSegmentByIndex(i)).data)
      if (signature.has(n)) inTables.add(n);
  }
  // call_indirect's targets per signature, computed once.
  const indirect = new Map<string, string[]>();
  const viaTable = (sig: string): string[] => {
    let t = indirect.get(sig);
    if (!t) indirect.set(sig, (t = [...inTables].filter((n) => signature.get(n) === sig)));
    return t;
  };

  const index = new Map(names.map((n, i) => [n, i]));
  const edges: number[][] = names.map((name) => {
    const out = new Set<string>();
    const body = B.getFunctionInfo(module.getFunction(name)).body;
    // An explicit stack: hostile images may nest expressions deeper than the JS stack allows.
    const todo: number[] = body ? [body] : [];
    while (todo.length) {
      const e = todo.pop()!;
      const id = B.getExpressionId(e);
      const kind = kinds.get(id);
      if (!kind) {
        for (const n of names) out.add(n); // call_ref, or a kind not in the table: anything
        break;
      }
      // Single getters, not getExpressionInfo (which reads every field): this walk sees every
      // expression of the image at each load.
      if (kind === "Block") {
        for (let i = B._BinaryenBlockGetNumChildren(e) - 1; i >= 0; i--)
          todo.push(B._BinaryenBlockGetChildAt(e, i));
        continue;
      }
      const cls = B[kind];
      if (kind === "Call") {
        const target = cls.getTarget(e);
        if (signature.has(target)) out.add(target);
      } else if (kind === "CallIndirect") {
        const sig = `${cls.getParams(e)}:${cls.getResults(e)}`;
        for (const n of viaTable(sig)) out.add(n);
      }
      if (HAS_OPERANDS.has(kind))
        for (let i = cls.getNumOperands(e) - 1; i >= 0; i--) todo.push(cls.getOperandAt(e, i));
      for (const field of EXPRESSION_CHILDREN[kind]) {
        const c = cls[`get${field[0].toUpperCase()}${field.slice(1)}`](e);
        if (c) todo.push(c);
      }
    }
    return [...out].map((n) => index.get(n)!);
  });

  const recursive = new Set<string>();
  for (const component of stronglyConnected(edges)) {
    if (component.length > 1 || edges[component[0]].includes(component[0]))
      for (const v of component) recursive.add(names[v]);
  }
  return recursive;
}

/**
 * Tarjan's strongly connected components over vertices 0..n-1, iteratively (no recursion, so
 * a long chain of calls in a hostile image cannot exhaust the JS stack).
 */
export function stronglyConnected(edges: number[][]): number[][] {
  const n = edges.length;
  const order = new Array<number>(n).fill(-1); // discovery index
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (order[root] >= 0) continue;
    // Frames of the depth-first search: a vertex and the next edge to follow.
    const frames: [number, number][] = [[root, 0]];
    order[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = true;
    while (frames.length) {
      const frame = frames[frames.length - 1];
      const [v, next] = frame;
      if (next < edges[v].length) {
        frame[1]++;
        const w = edges[v][next];
        if (order[w] < 0) {
          order[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = true;
          frames.push([w, 0]);
        } else if (onStack[w]) low[v] = Math.min(low[v], order[w]);
        continue;
      }
      frames.pop();
      if (frames.length) {
        const parent = frames[frames.length - 1][0];
        low[parent] = Math.min(low[parent], low[v]);
      }
      if (low[v] === order[v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = false;
          component.push(w);
        } while (w !== v);
        components.push(component);
      }
    }
  }
  return components;
}
