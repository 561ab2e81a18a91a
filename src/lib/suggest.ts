// "did you mean ...?" for an unknown name: what it means (the spellings models guess, spellings.ts),
// else the closest known name by edit distance, if it is close enough.
import { ALIASES, meaningOf } from "./spellings.js";

export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

export function suggestName(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Math.floor(name.length / 3);
  for (const k of known) {
    if (k.startsWith("%")) continue;
    if (Math.abs(k.length - name.length) > bestD) continue;
    const d = editDistance(name, k);
    if (d < bestD || (d === bestD && best === undefined)) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

/** The hint for an unknown name, as "did you mean X?" (with what differs, when the guess is a
 *  name from another language), or undefined. One phrase for the running program, the items of
 *  parallel-map (whose error values carry the message) and `skein check`. */
export function didYouMean(name: string, known: Iterable<string>): string | undefined {
  const names = known instanceof Set ? (known as Set<string>) : new Set(known);
  const meaning = meaningOf(name, (n) => names.has(n));
  if (meaning !== undefined) return `did you mean ${meaning.use}?${meaning.note ? ` ${meaning.note}` : ""}`;
  const close = suggestName(name, [...names, ...Object.keys(ALIASES)]);
  return close === undefined ? undefined : `did you mean ${close}?`;
}
