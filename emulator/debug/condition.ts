// Breakpoint conditions and logpoint messages: small C-like expressions over the stopped
// frame's locals (`count > 10 && $3 != 0`, `x * 2 + 1`). Parsed when the breakpoint is set,
// so a typo is one line at once; evaluated with the locals the statement hook passed.
export class ConditionError extends Error {}

type Node =
  | { k: "num"; v: number }
  | { k: "name"; name: string }
  | { k: "un"; op: string; a: Node }
  | { k: "bin"; op: string; a: Node; b: Node };

// Binding power per binary operator (higher binds tighter), as in C.
const BINARY: Record<string, number> = {
  "||": 1,
  "&&": 2,
  "|": 3,
  "^": 4,
  "&": 5,
  "==": 6,
  "!=": 6,
  "<": 7,
  "<=": 7,
  ">": 7,
  ">=": 7,
  "<<": 8,
  ">>": 8,
  "+": 9,
  "-": 9,
  "*": 10,
  "/": 10,
  "%": 10,
};
const TOKEN =
  /\s*(0x[0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|[A-Za-z_$][\w$]*|\|\||&&|==|!=|<=|>=|<<|>>|[-+*/%<>!~&|^()])/y;

export class Expression {
  private constructor(
    readonly text: string,
    private readonly root: Node,
  ) {}

  static parse(text: string): Expression {
    const tokens: string[] = [];
    TOKEN.lastIndex = 0;
    let at = 0;
    while (at < text.length) {
      if (/^\s*$/.test(text.slice(at))) break;
      TOKEN.lastIndex = at;
      const m = TOKEN.exec(text);
      if (!m) throw new ConditionError(`cannot read '${text.slice(at).trim()}' in '${text}'`);
      tokens.push(m[1]);
      at = TOKEN.lastIndex;
    }
    if (!tokens.length) throw new ConditionError("empty expression");
    let i = 0;
    const peek = () => tokens[i];
    const primary = (): Node => {
      const t = tokens[i++];
      if (t === undefined) throw new ConditionError(`'${text}' ends too early`);
      if (t === "(") {
        const e = expr(0);
        if (tokens[i++] !== ")") throw new ConditionError(`missing ')' in '${text}'`);
        return e;
      }
      if (t === "-" || t === "!" || t === "~" || t === "+") return { k: "un", op: t, a: primary() };
      if (/^[0-9]/.test(t)) return { k: "num", v: Number(t) };
      if (/^[A-Za-z_$]/.test(t)) return { k: "name", name: t };
      throw new ConditionError(`unexpected '${t}' in '${text}'`);
    };
    const expr = (min: number): Node => {
      let left = primary();
      for (;;) {
        const op = peek();
        const p = op === undefined ? undefined : BINARY[op];
        if (p === undefined || p <= min) return left;
        i++;
        left = { k: "bin", op, a: left, b: expr(p) };
      }
    };
    const root = expr(0);
    if (i < tokens.length) throw new ConditionError(`unexpected '${tokens[i]}' in '${text}'`);
    return new Expression(text, root);
  }

  /** The value with these locals; an unknown name is an error naming the ones there are. */
  evaluate(locals: Map<string, number>): number {
    const ev = (n: Node): number => {
      switch (n.k) {
        case "num":
          return n.v;
        case "name": {
          const v = locals.get(n.name);
          if (v === undefined)
            throw new ConditionError(
              `no local '${n.name}' here (${[...locals.keys()].join(", ") || "no locals"})`,
            );
          return v;
        }
        case "un": {
          const a = ev(n.a);
          return n.op === "-" ? -a : n.op === "!" ? Number(!a) : n.op === "~" ? ~a : a;
        }
        case "bin": {
          if (n.op === "&&") return Number(!!ev(n.a) && !!ev(n.b));
          if (n.op === "||") return Number(!!ev(n.a) || !!ev(n.b));
          const a = ev(n.a),
            b = ev(n.b);
          switch (n.op) {
            case "==":
              return Number(a === b);
            case "!=":
              return Number(a !== b);
            case "<":
              return Number(a < b);
            case "<=":
              return Number(a <= b);
            case ">":
              return Number(a > b);
            case ">=":
              return Number(a >= b);
            case "+":
              return a + b;
            case "-":
              return a - b;
            case "*":
              return a * b;
            case "/":
              return b === 0 ? NaN : a / b;
            case "%":
              return b === 0 ? NaN : a % b;
            case "&":
              return a & b;
            case "|":
              return a | b;
            case "^":
              return a ^ b;
            case "<<":
              return a << b;
            default:
              return a >> b;
          }
        }
      }
    };
    return ev(this.root);
  }
}

/** A logpoint's message: text with {expression} parts, checked when it is set. */
export function parseLogMessage(message: string): (locals: Map<string, number>) => string {
  const parts = message
    .split(/(\{[^{}]*\})/)
    .map((p) => (p.startsWith("{") && p.endsWith("}") ? Expression.parse(p.slice(1, -1)) : p));
  return (locals) =>
    parts
      .map((p) => {
        if (typeof p === "string") return p;
        try {
          return String(p.evaluate(locals));
        } catch (e) {
          return `<${(e as Error).message}>`;
        }
      })
      .join("");
}
