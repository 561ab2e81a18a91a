// The reader: source text to Skein data. Every list form carries its file:line:col;
// errors name the position and what was expected. The depth limit turns deep nesting
// into a reader error instead of a host stack overflow.
import { KNOWN_ESCAPES, STRING_ESCAPES } from "./escapes.js";
import { List as IList } from "immutable";
import { LispError } from "../core/error.js";
import { EMPTY, Keyword, Pair, Sym, type List, type Loc, type Value } from "../core/types.js";
import { LMap } from "../core/map.js";
import { write } from "./printer.js";

export const MAX_DEPTH = 1000;

const S = {
  quote: Sym.of("quote"),
  quasiquote: Sym.of("quasiquote"),
  unquote: Sym.of("unquote"),
  unquoteSplicing: Sym.of("unquote-splicing"),
  deref: Sym.of("atom-deref"),
  fn: Sym.of("fn"),
  amp: Sym.of("&"),
};

const DELIMS = new Set([..."()[]{}\";'`,"]);
const isSpace = (c: string) =>
  c === " " || c === "\n" || c === "\t" || c === "\r" || c === "\f" || c === "\v" || c === "\u00a0" || c === "\ufeff";

export interface ReadResult {
  forms: Value[];
}

export class Reader {
  private i = 0;
  private line = 1;
  private col = 1;
  private depth = 0;
  /** inside #(): the highest %n read so far and whether %& was */
  private anonArgs: { max: number; rest: boolean } | null = null;
  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  private loc(): Loc {
    return { file: this.file, line: this.line, col: this.col };
  }

  private fail(msg: string, loc: Loc = this.loc()): never {
    throw LispError.of("read", msg, loc);
  }

  private peek(off = 0): string {
    return this.text[this.i + off] ?? "";
  }

  private next(): string {
    const c = this.text[this.i++];
    if (c === "\n") {
      this.line++;
      this.col = 1;
    } else {
      this.col++;
    }
    return c;
  }

  /** Reads every form in the text, or raises the first reader error. */
  readAll(): Value[] {
    return this.readAllWithLocs().forms;
  }

  /** Every form with where it starts (atoms carry no position of their own). */
  readAllWithLocs(): { forms: Value[]; locs: Loc[] } {
    const forms: Value[] = [];
    const locs: Loc[] = [];
    // a first line "#!/usr/bin/env skein" makes a script executable: it is a comment
    if (this.i === 0 && this.text.startsWith("#!"))
      while (this.i < this.text.length && this.peek() !== "\n") this.next();
    for (;;) {
      this.skipAtmosphere();
      if (this.i >= this.text.length) return { forms, locs };
      locs.push(this.loc());
      forms.push(this.readForm());
    }
  }

  private skipAtmosphere(): void {
    for (;;) {
      const c = this.peek();
      if (c === "") return;
      if (isSpace(c)) {
        this.next();
        continue;
      }
      if (c === ",") {
        // a comma before whitespace or a closing bracket is whitespace ({:a 1, :b 2})
        const d = this.peek(1);
        if (d === "" || isSpace(d) || d === ")" || d === "]" || d === "}") {
          this.next();
          continue;
        }
        return;
      }
      if (c === ";") {
        while (this.peek() !== "" && this.peek() !== "\n") this.next();
        continue;
      }
      if (c === "#" && this.peek(1) === "|") {
        this.skipBlockComment();
        continue;
      }
      if (c === "#" && this.peek(1) === ";") {
        const at = this.loc();
        this.next();
        this.next();
        // nested() so that a long run of #; is a reader error, not a host stack overflow
        this.nested(() => {
          this.skipAtmosphere();
          if (this.i >= this.text.length || ")]}".includes(this.peek()))
            this.fail("#; needs a datum to comment out", at);
          this.readForm();
        });
        continue;
      }
      return;
    }
  }

  private skipBlockComment(): void {
    const start = this.loc();
    this.next();
    this.next();
    let level = 1;
    while (level > 0) {
      if (this.i >= this.text.length) this.fail(`unclosed #| comment opened at ${start.line}:${start.col}`, start);
      if (this.peek() === "|" && this.peek(1) === "#") {
        this.next();
        this.next();
        level--;
      } else if (this.peek() === "#" && this.peek(1) === "|") {
        this.next();
        this.next();
        level++;
      } else this.next();
    }
  }

  private readForm(): Value {
    const start = this.loc();
    const c = this.peek();
    switch (c) {
      case "(":
        return this.nested(() => this.readSeq(")", start));
      case "[":
        return this.nested(() => IList(this.readItems("]", start)));
      case "{":
        return this.nested(() => this.readMap(start));
      case ")":
      case "]":
      case "}":
        this.next();
        this.fail(`unexpected ${c} with no matching opening bracket`, start);
      case '"':
        return this.readString(start);
      case "'":
        this.next();
        return this.wrap(S.quote, start);
      case "`":
        this.next();
        return this.wrap(S.quasiquote, start);
      case "@":
        this.next();
        return this.wrap(S.deref, start);
      case ",":
        this.next();
        if (this.peek() === "@") {
          this.next();
          return this.wrap(S.unquoteSplicing, start);
        }
        return this.wrap(S.unquote, start);
      case "#":
        return this.readHash(start);
      default:
        return this.readAtom(start);
    }
  }

  private nested<T>(f: () => T): T {
    if (++this.depth > MAX_DEPTH) this.fail(`nesting too deep (more than ${MAX_DEPTH} levels)`);
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  private wrap(sym: Sym, start: Loc): Pair {
    this.skipAtmosphere();
    if (this.i >= this.text.length || ")]}".includes(this.peek()))
      this.fail(`expected a form after ${sym.name === "atom-deref" ? "@" : sym.name}`, start);
    const inner = this.nested(() => this.readForm());
    const p = new Pair(sym, new Pair(inner, EMPTY));
    p.loc = start;
    return p;
  }

  private readItems(close: string, start: Loc): Value[] {
    const open = this.next();
    const items: Value[] = [];
    for (;;) {
      this.skipAtmosphere();
      const c = this.peek();
      if (c === "")
        this.fail(
          `unclosed ${open} opened at ${start.line}:${start.col}: expected ${close} before the end of the file`,
          start,
        );
      if (c === close) {
        this.next();
        return items;
      }
      if (c === ")" || c === "]" || c === "}") {
        this.fail(`mismatched ${c}: expected ${close} to close the ${open} opened at ${start.line}:${start.col}`);
      }
      items.push(this.readForm());
    }
  }

  private readSeq(close: string, start: Loc): List {
    const items = this.readItems(close, start);
    let r: List = EMPTY;
    for (let k = items.length - 1; k >= 0; k--) r = new Pair(items[k], r);
    if (r instanceof Pair) r.loc = start;
    return r;
  }

  private readMap(start: Loc): LMap {
    const items = this.readItems("}", start);
    if (items.length % 2 !== 0) this.fail("a map literal needs an even number of forms (key value ...)", start);
    let m = LMap.EMPTY;
    for (let k = 0; k < items.length; k += 2) {
      if (m.has(items[k])) this.fail(`duplicate key ${write(items[k])} in a map literal`, start);
      m = m.set(items[k], items[k + 1]);
    }
    return m;
  }

  private readString(start: Loc): string {
    this.next();
    let out = "";
    for (;;) {
      const c = this.peek();
      if (c === "") this.fail(`unclosed string opened at ${start.line}:${start.col}`, start);
      this.next();
      if (c === '"') return out;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const at = this.loc();
      if (this.peek() === "") this.fail(`unclosed string opened at ${start.line}:${start.col}`, start);
      const e = this.next();
      const decoded = STRING_ESCAPES.get(e);
      if (decoded !== undefined) out += decoded;
      else if (e === "u") out += this.readUnicodeEscape(at);
      else this.fail(`bad escape \\${e} in string (known: ${KNOWN_ESCAPES})`, at);
    }
  }

  private readUnicodeEscape(at: Loc): string {
    let hex = "";
    if (this.peek() === "{") {
      this.next();
      while (/[0-9a-fA-F]/.test(this.peek()) && hex.length < 8) hex += this.next();
      if (this.peek() !== "}" || hex === "") this.fail("bad \\u escape: expected \\u{hex digits}", at);
      this.next();
    } else {
      for (let k = 0; k < 4 && /[0-9a-fA-F]/.test(this.peek()); k++) hex += this.next();
      if (hex.length !== 4) this.fail("bad \\u escape: expected \\u{hex digits} or four hex digits", at);
    }
    const code = parseInt(hex, 16);
    if (!(code >= 0 && code <= 0x10ffff)) this.fail(`bad \\u escape: ${hex} is not a Unicode code point`, at);
    return String.fromCodePoint(code);
  }

  private readHash(start: Loc): Value {
    if (this.peek(1) === "(") return this.readAnonFn(start);
    if (this.peek(1) === '"') return this.readRegex(start);
    const tok = this.readToken();
    if (tok === "#t" || tok === "#true") return true;
    if (tok === "#f" || tok === "#false") return false;
    if (/^#x[0-9a-fA-F]+$/i.test(tok)) return this.checkNumber(parseInt(tok.slice(2), 16), tok, start);
    if (/^#b[01]+$/i.test(tok)) return this.checkNumber(parseInt(tok.slice(2), 2), tok, start);
    if (/^#o[0-7]+$/i.test(tok)) return this.checkNumber(parseInt(tok.slice(2), 8), tok, start);
    this.fail(`unknown syntax ${JSON.stringify(tok)} (known: #t #f #x1F #| |# #; #(...) #"regex")`, start);
  }

  /** #"\d+": a regular expression as Clojure writes it, read as the string of its text with every
   *  backslash kept (a string would need "\\d+"); \" is a quote inside it. */
  private readRegex(start: Loc): string {
    this.next();
    this.next();
    let out = "";
    for (;;) {
      const c = this.peek();
      if (c === "") this.fail(`unclosed #" regex opened at ${start.line}:${start.col}`, start);
      this.next();
      if (c === '"') return out;
      out += c;
      if (c === "\\" && this.peek() !== "") out += this.next();
    }
  }

  /** #(* % %): a function of the arguments % (or %1), %2 ... %20 and %& (the rest, as a list), as
   *  in Clojure: (fn [%1 %2 & %&] (* %1 %1)), as many parameters as the highest one used. */
  private readAnonFn(start: Loc): Value {
    if (this.anonArgs !== null)
      this.fail("#() cannot be nested inside another #(): write the inner one as (fn [x] ...)", start);
    this.next();
    const args = { max: 0, rest: false };
    this.anonArgs = args;
    let body: List;
    try {
      body = this.nested(() => this.readSeq(")", this.loc()));
    } finally {
      this.anonArgs = null;
    }
    if (body instanceof Pair) body.loc = start;
    const params: Value[] = [];
    for (let n = 1; n <= args.max; n++) params.push(Sym.of(`%${n}`));
    if (args.rest) params.push(S.amp, Sym.of("%&"));
    const fn = new Pair(S.fn, new Pair(IList(params), new Pair(body, EMPTY)));
    fn.loc = start;
    return fn;
  }

  /** Inside #(): % is %1, and %n and %& are recorded as parameters. */
  private anonArg(tok: string, start: Loc): Sym {
    const args = this.anonArgs as { max: number; rest: boolean };
    if (tok === "%&") {
      args.rest = true;
      return Sym.of(tok);
    }
    const n = tok === "%" ? 1 : Number(tok.slice(1));
    if (n < 1 || n > MAX_ANON_ARGS)
      this.fail(`${tok} in #(): the arguments are % (or %1) to %${MAX_ANON_ARGS}, and %& for the rest`, start);
    args.max = Math.max(args.max, n);
    return Sym.of(`%${n}`);
  }

  private readToken(): string {
    let tok = "";
    while (this.i < this.text.length) {
      const c = this.peek();
      if (isSpace(c) || DELIMS.has(c)) break;
      tok += this.next();
    }
    return tok;
  }

  private checkNumber(n: number, tok: string, start: Loc): number {
    if (!Number.isFinite(n))
      this.fail(`number out of range: ${tok.length > 40 ? tok.slice(0, 40) + "..." : tok}`, start);
    return n;
  }

  private readAtom(start: Loc): Value {
    const tok = this.readToken();
    if (tok === "") this.fail(`unexpected character ${JSON.stringify(this.peek())}`, start);
    if (NUMBER.test(tok)) return this.checkNumber(Number(tok), tok, start);
    if (tok === "nil") return null;
    if (tok === "true") return true;
    if (tok === "false") return false;
    if (tok[0] === ":" && tok.length > 1) return Keyword.of(tok.slice(1));
    if (this.anonArgs !== null && ANON_ARG.test(tok)) return this.anonArg(tok, start);
    return Sym.of(tok);
  }
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** the argument names of #(): %, %&, %1, %2 ... */
const ANON_ARG = /^%(&|\d+)?$/;
/** the highest %n of #(), as in Clojure */
const MAX_ANON_ARGS = 20;

export function readAll(text: string, file: string): Value[] {
  return new Reader(text, file).readAll();
}

export function readAllWithLocs(text: string, file: string): { forms: Value[]; locs: Loc[] } {
  return new Reader(text, file).readAllWithLocs();
}
