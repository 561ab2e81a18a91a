// "did you mean ...?": the closest known name by edit distance, if it is close enough.
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
