// The restricted template language: nunjucks syntax, data only. A template is parsed with
// nunjucks' own parser and every node is checked against an allowlist before anything renders:
// output, variables that are declared inputs or loop variables, plain-name lookups into data,
// literals, an allowlist of filters and tests, conditionals, loops and operators. Calls, tags
// (set, include, import, macro, extends, block, filter, call…), computed keys and any name that
// reaches a function or a prototype (constructor, __proto__, prototype, toString…) are refused
// with the line and column of the node in the template's own text.
import nunjucks from "nunjucks";

/** Filters a template may use; each is pure string/list formatting. */
export const ALLOWED_FILTERS: ReadonlySet<string> = new Set([
  "abs",
  "capitalize",
  "center",
  "d",
  "default",
  "e",
  "escape",
  "first",
  "float",
  "indent",
  "int",
  "join",
  "last",
  "length",
  "list",
  "lower",
  "replace",
  "reverse",
  "round",
  "sort",
  "string",
  "title",
  "trim",
  "truncate",
  "upper",
  "urlencode",
  "wordcount",
]);

/** Tests usable with `is` (only the bare form: `x is defined`, never `x is divisibleby(3)`). */
export const ALLOWED_TESTS: ReadonlySet<string> = new Set([
  "defined",
  "undefined",
  "none",
  "null",
  "number",
  "string",
  "odd",
  "even",
  "truthy",
  "falsy",
  "lower",
  "upper",
  "iterable",
  "mapping",
]);

const BINARY = new Set([
  "Add",
  "Sub",
  "Mul",
  "Div",
  "FloorDiv",
  "Mod",
  "Pow",
  "Concat",
  "And",
  "Or",
  "In",
]);
const UNARY = new Set(["Neg", "Pos", "Not"]);

/**
 * Names that reach functions or prototypes through JavaScript objects: everything
 * Object.prototype and Function.prototype define (except the plain-data `name` and `length`),
 * anything starting with `_`, and the classic escape routes spelled out. Without calls, a
 * method reached some other way (`"".search`) is an inert value; these are the names that lead
 * from data to the Function constructor.
 */
const FORBIDDEN_NAMES: ReadonlySet<string> = (() => {
  const names = new Set<string>(["constructor", "prototype", "__proto__", "caller", "callee"]);
  for (const proto of [Object.prototype, Function.prototype]) {
    for (const n of Object.getOwnPropertyNames(proto)) names.add(n);
  }
  names.delete("length");
  names.delete("name");
  return names;
})();

export function isForbiddenName(name: string): boolean {
  return FORBIDDEN_NAMES.has(name) || name.startsWith("_") || !/^[A-Za-z][A-Za-z0-9_]*$/.test(name);
}

/** A refusal: what and where (1-based line and column in the template's own text). */
export interface LanguageIssue {
  readonly line: number;
  readonly column: number;
  readonly message: string;
  /** true: the text does not parse at all (PLB856); false: it parses but is not allowed (PLB823). */
  readonly syntax: boolean;
}

interface NjkNode {
  readonly typename: string;
  readonly lineno: number;
  readonly colno: number;
  readonly value?: unknown;
  readonly children?: NjkNode[];
  readonly [field: string]: unknown;
}

class Refused extends Error {
  constructor(
    readonly node: NjkNode | undefined,
    message: string,
  ) {
    super(message);
  }
}

const TAG_NAMES: Readonly<Record<string, string>> = {
  Set: "{% set %}",
  Include: "{% include %}",
  Import: "{% import %}",
  FromImport: "{% from … import %}",
  Extends: "{% extends %}",
  Block: "{% block %}",
  Super: "super()",
  Macro: "{% macro %}",
  Caller: "{% call %}",
  CallExtension: "an extension tag",
  CallExtensionAsync: "an extension tag",
  FilterAsync: "an async filter",
  Capture: "{% filter %} blocks",
  Switch: "{% switch %}",
  IfAsync: "{% ifAsync %}",
  AsyncEach: "{% asyncEach %}",
  AsyncAll: "{% asyncAll %}",
  KeywordArgs: "keyword arguments here",
  Dict: "a {…} mapping literal",
  Pair: "a {…} mapping literal",
};

class Checker {
  private readonly scopes: Set<string>[] = [];
  private loopDepth = 0;

  constructor(private readonly names: ReadonlySet<string>) {}

  private inScope(name: string): boolean {
    return this.names.has(name) || this.scopes.some((s) => s.has(name));
  }

  list(nodes: unknown): void {
    const n = nodes as NjkNode | null | undefined;
    if (!n) return;
    if (n.typename !== "NodeList" && n.typename !== "Root") this.statement(n);
    else for (const c of n.children ?? []) this.statement(c);
  }

  statement(n: NjkNode): void {
    switch (n.typename) {
      case "NodeList":
      case "Root":
        this.list(n);
        return;
      case "Output":
        for (const c of n.children ?? []) {
          if (c.typename === "TemplateData") continue;
          this.expr(c);
        }
        return;
      case "If":
        this.expr(n.cond as NjkNode);
        this.list(n.body);
        this.list(n.else_);
        return;
      case "For": {
        this.expr(n.arr as NjkNode);
        const target = n.name as NjkNode;
        const bound = new Set<string>();
        const symbols = target.typename === "Array" ? (target.children ?? []) : [target];
        for (const s of symbols) {
          if (s.typename !== "Symbol" || typeof s.value !== "string")
            throw new Refused(s, "a loop variable must be a plain name");
          if (isForbiddenName(s.value) || s.value === "loop")
            throw new Refused(s, `'${s.value}' cannot be a loop variable`);
          bound.add(s.value);
        }
        this.scopes.push(bound);
        this.loopDepth++;
        this.list(n.body);
        this.loopDepth--;
        this.scopes.pop();
        this.list(n.else_);
        return;
      }
      default:
        throw new Refused(n, `${TAG_NAMES[n.typename] ?? `'${n.typename}'`} is not allowed`);
    }
  }

  expr(n: NjkNode): void {
    const t = n.typename;
    if (t === "Literal") {
      const v = n.value;
      if (v === null || v === undefined || ["string", "number", "boolean"].includes(typeof v))
        return;
      throw new Refused(n, "only string, number, boolean and none literals are allowed");
    }
    if (t === "Symbol") {
      const name = String(n.value);
      if (name === "loop" && this.loopDepth > 0) return;
      if (isForbiddenName(name)) throw new Refused(n, `the name '${name}' is not allowed`);
      if (!this.inScope(name))
        throw new Refused(
          n,
          `'${name}' is not a declared input${this.loopDepth > 0 ? " or loop variable" : ""}`,
        );
      return;
    }
    if (t === "LookupVal") {
      this.expr(n.target as NjkNode);
      const key = n.val as NjkNode;
      if (key.typename !== "Literal")
        throw new Refused(key, "computed keys are not allowed: write a.b or a['b'] or a[0]");
      if (typeof key.value === "number") {
        if (!Number.isSafeInteger(key.value) || key.value < 0)
          throw new Refused(key, "an index must be a non-negative integer");
        return;
      }
      if (typeof key.value !== "string" || isForbiddenName(key.value))
        throw new Refused(key, `the key '${String(key.value)}' is not allowed`);
      return;
    }
    if (t === "Filter") {
      const name = (n.name as NjkNode).value;
      if (typeof name !== "string" || !ALLOWED_FILTERS.has(name))
        throw new Refused(
          n.name as NjkNode,
          `the filter '${String(name)}' is not allowed (allowed: ${[...ALLOWED_FILTERS].join(", ")})`,
        );
      for (const a of (n.args as NjkNode).children ?? []) {
        if (a.typename === "KeywordArgs") {
          for (const p of a.children ?? []) {
            if (p.typename !== "Pair") throw new Refused(p, "malformed keyword argument");
            const k = p.key as NjkNode;
            if (k.typename !== "Symbol" || isForbiddenName(String(k.value)))
              throw new Refused(k, "keyword arguments must be plain names");
            this.expr(p.value as NjkNode);
          }
          continue;
        }
        if (a.typename === "Literal" && typeof a.value === "string" && FORBIDDEN_NAMES.has(a.value))
          throw new Refused(a, `the filter argument '${a.value}' is not allowed`);
        this.expr(a);
      }
      return;
    }
    if (t === "Is") {
      this.expr(n.left as NjkNode);
      const r = n.right as NjkNode;
      if (r.typename !== "Symbol" || !ALLOWED_TESTS.has(String(r.value)))
        throw new Refused(
          r,
          `only these tests are allowed after 'is': ${[...ALLOWED_TESTS].join(", ")}`,
        );
      return;
    }
    if (t === "InlineIf") {
      this.expr(n.cond as NjkNode);
      this.expr(n.body as NjkNode);
      if (n.else_) this.expr(n.else_ as NjkNode);
      return;
    }
    if (t === "Compare") {
      this.expr(n.expr as NjkNode);
      for (const op of (n.ops as NjkNode[] | undefined) ?? []) this.expr(op.expr as NjkNode);
      return;
    }
    if (BINARY.has(t)) {
      this.expr(n.left as NjkNode);
      this.expr(n.right as NjkNode);
      return;
    }
    if (UNARY.has(t)) {
      this.expr(n.target as NjkNode);
      return;
    }
    if (t === "Group" || t === "Array") {
      for (const c of n.children ?? []) this.expr(c);
      return;
    }
    if (t === "FunCall")
      throw new Refused(n, "calls are not allowed: templates hold data, not code");
    throw new Refused(n, `${TAG_NAMES[t] ?? `'${t}'`} is not allowed in an expression`);
  }
}

/** Parses `text` with nunjucks' parser; returns the AST or a syntax issue. */
function parse(text: string): NjkNode | LanguageIssue {
  try {
    // nunjucks exports its parser at runtime; @types/nunjucks does not declare it.
    const { parser } = nunjucks as unknown as {
      parser: { parse(src: string, extensions: unknown[], opts: object): unknown };
    };
    return parser.parse(text, [], {}) as NjkNode;
  } catch (e) {
    const err = e as { message?: string; lineno?: number; colno?: number };
    const message = String(err.message ?? e)
      .replace(/^\(unknown path\)\s*(\[Line \d+, Column \d+\]\s*)?/, "")
      .replace(/\s+/g, " ")
      .trim();
    return {
      line: (err.lineno ?? 0) + 1,
      column: (err.colno ?? 0) + 1,
      message: `syntax error: ${message || "cannot parse the template"}`,
      syntax: true,
    };
  }
}

/**
 * Checks `text` against the restricted language. `names` are the variables a template may use
 * (its declared inputs). Returns undefined when allowed, otherwise the first refusal.
 */
export function checkTemplateText(
  text: string,
  names: ReadonlySet<string>,
): LanguageIssue | undefined {
  const ast = parse(text);
  if (!("typename" in ast)) return ast;
  try {
    new Checker(names).list(ast);
    return undefined;
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    return {
      line: (e.node?.lineno ?? 0) + 1,
      column: (e.node?.colno ?? 0) + 1,
      message: e.message,
      syntax: false,
    };
  }
}

/** True when the text is plain data: no `{{ }}` or `{% %}` at all (comments allowed). */
export function isStaticText(text: string): boolean {
  const ast = parse(text);
  if (!("typename" in ast)) return false;
  const walk = (n: NjkNode): boolean =>
    n.typename === "Root" || n.typename === "NodeList"
      ? (n.children ?? []).every(walk)
      : n.typename === "Output" && (n.children ?? []).every((c) => c.typename === "TemplateData");
  return walk(ast);
}
