// The value types of Skein: interned symbols and keywords, cons lists, and the tags shared by all layers.
import { List as IList } from "immutable";
import type { LMap } from "./map.js";
import { equals as valueEquals, hashOf as valueHash } from "./equality.js";

/** Any Skein value. The kinds are open (later layers add functions, tasks, channels, database
 *  handles), so a value is `unknown` and code narrows it with the guards and `instanceof` checks
 *  of each kind (isVector, `x instanceof Pair`, the typed readers of lib/args.ts) before using it. */
export type Value = unknown;

export function stringHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** A symbol: interned, so identity comparison is equality. */
export class Sym {
  readonly hash: number;
  private constructor(readonly name: string) {
    this.hash = stringHash("sym:" + name);
  }
  private static table = new Map<string, Sym>();
  static of(name: string): Sym {
    let s = Sym.table.get(name);
    if (!s) {
      s = new Sym(name);
      Sym.table.set(name, s);
    }
    return s;
  }
  private static counter = 0;
  /** A fresh, uninterned symbol (for macros). */
  static gensym(prefix = "g"): Sym {
    return new Sym(`${prefix}__${++Sym.counter}`);
  }
  /** A fresh, uninterned symbol with exactly this name: the head of a special form in a
   *  compiler's expansion, which no local variable of the same name can shadow. */
  static uninterned(name: string): Sym {
    return new Sym(name);
  }
  equals(o: unknown): boolean {
    return this === o;
  }
  hashCode(): number {
    return this.hash;
  }
}

/** A keyword such as :name: interned and self-evaluating. */
export class Keyword {
  readonly hash: number;
  private constructor(readonly name: string) {
    this.hash = stringHash("kw:" + name);
  }
  private static table = new Map<string, Keyword>();
  static of(name: string): Keyword {
    let k = Keyword.table.get(name);
    if (!k) {
      k = new Keyword(name);
      Keyword.table.set(name, k);
    }
    return k;
  }
  equals(o: unknown): boolean {
    return this === o;
  }
  hashCode(): number {
    return this.hash;
  }
}

/** A source position: file, 1-based line and column. */
export interface Loc {
  file: string;
  line: number;
  col: number;
}

export function formatLoc(loc: Loc | undefined | null): string {
  return loc ? `${loc.file}:${loc.line}:${loc.col}` : "?";
}

/** The empty list. Distinct from nil: it prints as (). */
export class EmptyList {
  static readonly instance = new EmptyList();
  private constructor() {}
  equals(o: unknown): boolean {
    return o === this;
  }
  hashCode(): number {
    return 7;
  }
}
export const EMPTY = EmptyList.instance;

/** A cons cell. Lists are always proper: cdr is a Pair or EMPTY. */
export class Pair {
  loc: Loc | undefined;
  constructor(
    public car: Value,
    public cdr: Pair | EmptyList,
  ) {}
  equals(o: unknown): boolean {
    if (!(o instanceof Pair)) return false;
    let a: Pair | EmptyList = this,
      b: Pair | EmptyList = o;
    while (a instanceof Pair && b instanceof Pair) {
      if (!valueEquals(a.car, b.car)) return false;
      a = a.cdr;
      b = b.cdr;
    }
    return a === b;
  }
  hashCode(): number {
    let h = 17;
    for (let p: Pair | EmptyList = this; p instanceof Pair; p = p.cdr) h = (Math.imul(h, 31) + valueHash(p.car)) | 0;
    return h;
  }
}

export type List = Pair | EmptyList;

/** An atom: the one mutable reference cell, shared between tasks. */
export class Atom {
  constructor(public value: Value) {}
}

/** An error value: what failed operations return and what `try` hands to `catch`. */
export class ErrorValue {
  constructor(
    readonly message: string,
    readonly data: LMap,
    public trace: string[] = [],
  ) {}
  equals(o: unknown): boolean {
    return o instanceof ErrorValue && o.message === this.message && valueEquals(this.data, o.data);
  }
  hashCode(): number {
    return stringHash("err:" + this.message);
  }
}

export function list(...xs: Value[]): List {
  let r: List = EMPTY;
  for (let i = xs.length - 1; i >= 0; i--) r = new Pair(xs[i], r);
  return r;
}

export function arrayToList(xs: readonly Value[], tail: List = EMPTY): List {
  let r: List = tail;
  for (let i = xs.length - 1; i >= 0; i--) r = new Pair(xs[i], r);
  return r;
}

export function listToArray(l: List): Value[] {
  const out: Value[] = [];
  for (let p: List = l; p instanceof Pair; p = p.cdr) out.push(p.car);
  return out;
}

export const isVector = (v: unknown): v is IList<Value> => IList.isList(v);
