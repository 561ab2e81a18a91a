// The monotonic clock of the runtime, in milliseconds since the program started. Read through
// process.hrtime rather than performance.now: the global `performance` loads perf_hooks when it
// is first touched, about a millisecond of a 60 ms start-up.
const [originS, originNs] = process.hrtime();

export function monotonicMs(): number {
  const [s, ns] = process.hrtime();
  return (s - originS) * 1e3 + (ns - originNs) / 1e6;
}
