#!/usr/bin/env node
// Builds the SQLite guard (src/host/db/sqlite-guard.c) into dist/src/host/db/sqlite-guard.so with
// the system C compiler, against the SQLite headers better-sqlite3 ships. Without a compiler the
// build goes on and says so in one line: sandboxed scripts then cannot open SQLite databases
// (unsandboxed ones can), since nothing else would keep ATTACH from reaching other files.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "src", "host", "db", "sqlite-guard.so");
const headers = join(dirname(createRequire(import.meta.url).resolve("better-sqlite3/package.json")), "deps", "sqlite3");
const cc = process.env.CC || "cc";
mkdirSync(dirname(out), { recursive: true });
const r = spawnSync(
  cc,
  ["-shared", "-fPIC", "-O2", "-I", headers, join(root, "src", "host", "db", "sqlite-guard.c"), "-o", out],
  { encoding: "utf8" },
);
if (r.status !== 0 || !existsSync(out)) {
  const why = r.error ? `${cc} not found` : r.stderr.trim().split("\n")[0];
  console.warn(
    `skein: the SQLite guard was not built (${why}); sandboxed scripts will not be able to open SQLite databases`,
  );
}
