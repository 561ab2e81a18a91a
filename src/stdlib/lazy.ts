// Loads a module on first use, synchronously. Works both from the ESM build (tests) and from the
// CJS bundle the CLI runs (where import() of a package would need a loader callback).
import { createRequire } from "node:module";

const load = createRequire(import.meta.url);

export function lazyRequire<T>(name: string): T {
  return load(name) as T;
}
