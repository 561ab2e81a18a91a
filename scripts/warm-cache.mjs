#!/usr/bin/env node
// After a build: drops the code caches of earlier bundles and writes the new one (by running
// bin/skein once), so the first real run starts fast.
import { readdirSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "dist", "src", "cli");
for (const f of readdirSync(cli)) if (f.endsWith(".cache")) rmSync(join(cli, f));
execFileSync(process.execPath, [join(root, "bin", "skein"), "-e", "nil"], { stdio: "inherit" });
