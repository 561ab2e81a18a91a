// bin/skein loads the bundle through V8's code cache; the cache must never outlive its bundle.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

// regression: the cache was one file beside the bundle and V8 accepted it for a rebuilt bundle of
// the same length; the stale code made `(exit 0)` die with a segmentation fault
test("a rebuilt bundle of the same length runs its own code, not the cached code of the old one", () => {
  const dir = mkdtempSync(join(tmpdir(), "skein-cache-"));
  try {
    mkdirSync(join(dir, "bin"));
    for (const f of ["skein", "load.cjs", "package.json"]) copyFileSync(join(root, "bin", f), join(dir, "bin", f));
    mkdirSync(join(dir, "dist", "src", "cli"), { recursive: true });
    const bundle = join(dir, "dist", "src", "cli", "skein.cjs");
    copyFileSync(join(root, "dist", "src", "cli", "skein.cjs"), bundle);
    cpSync(join(root, "src", "prelude"), join(dir, "src", "prelude"), { recursive: true });
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [join(dir, "bin", "skein"), ...args], { encoding: "utf8" });

    assert.match(run("--version").stdout, /^skein \d+\.\d+\.\d+\n$/);
    assert.equal(run("-e", "(exit 3)").status, 3);
    const caches = () => readdirSync(join(dir, "dist", "src", "cli")).filter((f) => f.endsWith(".cache"));
    assert.equal(caches().length, 1, "the first run wrote a cache");

    // the same length, other text: a new build
    const text = readFileSync(bundle, "utf8");
    assert.match(text, /VERSION = "\d+\.\d+\.\d+"/, "the bundle holds the version string");
    writeFileSync(bundle, text.replace(/VERSION = "\d+\.\d+\.\d+"/, 'VERSION = "9.9.9"'));
    const later = new Date(Date.now() + 5000);
    utimesSync(bundle, later, later);
    assert.equal(readFileSync(bundle, "utf8").length, text.length);

    const r = run("--version");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "skein 9.9.9\n");
    assert.equal(run("-e", "(exit 3)").status, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
