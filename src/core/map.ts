// Persistent insertion-ordered map: a HAMT index from key to position, and a persistent
// vector of entries in insertion order. assoc/dissoc are O(log n); equality ignores order.
import { Map as IMap, List as IList } from "immutable";
import type { Value } from "./types.js";
import { equals as valueEquals, hashOf as valueHash } from "./equality.js";

type Entry = readonly [Value, Value];

export class LMap {
  private constructor(
    private readonly index: IMap<Value, number>,
    private readonly order: IList<Entry | undefined>,
  ) {}

  static readonly EMPTY = new LMap(IMap(), IList());

  static fromEntries(entries: Iterable<readonly [Value, Value]>): LMap {
    // built in one batch (transient structures), then frozen
    const order: (Entry | undefined)[] = [];
    const index = IMap<Value, number>().withMutations((ix) => {
      for (const [k, v] of entries) {
        const i = ix.get(k);
        if (i === undefined) {
          ix.set(k, order.length);
          order.push([k, v]);
        } else order[i] = [(order[i] as Entry)[0], v];
      }
    });
    return new LMap(index, IList(order));
  }

  get size(): number {
    return this.index.size;
  }

  has(k: Value): boolean {
    return this.index.has(k);
  }

  get(k: Value, dflt: Value = null): Value {
    const i = this.index.get(k);
    return i === undefined ? dflt : (this.order.get(i) as Entry)[1];
  }

  set(k: Value, v: Value): LMap {
    const i = this.index.get(k);
    if (i !== undefined) {
      const old = this.order.get(i) as Entry;
      if (old[1] === v) return this;
      return new LMap(this.index, this.order.set(i, [old[0], v]));
    }
    return new LMap(this.index.set(k, this.order.size), this.order.push([k, v]));
  }

  delete(k: Value): LMap {
    const i = this.index.get(k);
    if (i === undefined) return this;
    const index = this.index.delete(k);
    const order = this.order.set(i, undefined);
    // compact when more than half the slots are holes, so iteration stays O(n)
    if (order.size > 8 && index.size * 2 < order.size) return LMap.fromEntries(live(order));
    return new LMap(index, order);
  }

  *entries(): IterableIterator<Entry> {
    yield* live(this.order);
  }
  *keys(): IterableIterator<Value> {
    for (const e of live(this.order)) yield e[0];
  }
  *values(): IterableIterator<Value> {
    for (const e of live(this.order)) yield e[1];
  }
  [Symbol.iterator](): IterableIterator<Entry> {
    return this.entries();
  }

  equals(o: unknown): boolean {
    if (!(o instanceof LMap) || o.size !== this.size) return false;
    for (const [k, v] of this.entries()) {
      if (!o.has(k) || !valueEquals(v, o.get(k))) return false;
    }
    return true;
  }

  hashCode(): number {
    let h = 0;
    for (const [k, v] of this.entries()) h = (h + (valueHash(k) ^ Math.imul(valueHash(v), 0x9e3779b1))) | 0;
    return h;
  }
}

function* live(order: IList<Entry | undefined>): IterableIterator<Entry> {
  for (const e of order) if (e !== undefined) yield e;
}
