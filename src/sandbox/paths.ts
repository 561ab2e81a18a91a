// Paths as the kernel reaches them: the physical path of a target (every symbolic link followed)
// and whether it lies inside a granted directory.
import { lstatSync, readlinkSync, realpathSync } from "node:fs";
import { isAbsolute, join, resolve, sep } from "node:path";

/** Symbolic links followed in one resolution at most (Linux's limit is 40 too). */
const MAX_LINKS = 40;

const errCode = (e: unknown) => (e as NodeJS.ErrnoException | undefined)?.code;

/**
 * The physical absolute path of path, as the kernel would reach it: every symbolic link followed
 * (dangling ones included, so a write through one is judged by where it would land), `..` taken
 * after the links before it. Components that do not exist are appended as written. null when it
 * cannot be resolved (a loop of links, an invalid path): the caller denies.
 */
export function physicalPath(path: string, cwd?: string): string | null {
  if (typeof path !== "string" || path.includes("\0")) return null;
  // no lexical normalisation: "link/.." is the link's target's parent, as the kernel takes it
  const abs = isAbsolute(path) ? path : `${cwd ?? process.cwd()}${sep}${path}`;
  try {
    return realpathSync.native(abs);
  } catch (e) {
    const code = errCode(e);
    if (code !== "ENOENT" && code !== "ENOTDIR" && code !== "EACCES") return null;
  }
  // something along the way is missing (or a link dangles): walk it one component at a time
  const todo = abs.split(sep).filter((c) => c !== "");
  let done: string = sep;
  let links = 0;
  let missing = false;
  while (todo.length > 0) {
    const c = todo.shift() as string;
    if (c === ".") continue;
    // the kernel cannot go through a missing component, not even to climb back with `..`; taking
    // it lexically would reach, unresolved, links the kernel never checks here: refuse instead
    if (c === "..") {
      if (missing) return null;
      done = resolve(done, "..");
      continue;
    }
    const next = join(done, c);
    if (missing) {
      done = next;
      continue;
    }
    let isLink = false;
    try {
      isLink = lstatSync(next).isSymbolicLink();
    } catch (e) {
      const code = errCode(e);
      if (code !== "ENOENT" && code !== "ENOTDIR" && code !== "EACCES") return null;
      missing = true;
      done = next;
      continue;
    }
    if (!isLink) {
      done = next;
      continue;
    }
    if (++links > MAX_LINKS) return null;
    let target: string;
    try {
      target = readlinkSync(next);
    } catch {
      return null;
    }
    if (isAbsolute(target)) done = sep;
    todo.unshift(...target.split(sep).filter((x) => x !== ""));
  }
  return done;
}

/** True when target is root or inside it, on path-component boundaries. */
export function pathWithin(target: string, root: string): boolean {
  if (target === root) return true;
  const prefix = root.endsWith(sep) ? root : root + sep;
  return target.startsWith(prefix);
}
