// Loads a module on first use, synchronously. Works both from the ESM build (tests) and from the
// CJS bundle the CLI runs (where import() of a package would need a loader callback).
import { createRequire } from "node:module";

const load = createRequire(import.meta.url);

export function lazyRequire<T>(name: string): T {
  return load(name) as T;
}

/** dist/src/, where the compiled modules are. This module sits one folder below it, and so does
 *  the CLI bundle (dist/src/cli/skein.cjs), whose every module shares the bundle's URL: one
 *  relative path serves both the ESM build and the bundle. */
export const SRC_ROOT = new URL("../", import.meta.url);
