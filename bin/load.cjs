// Loads the CLI bundle (dist/src/cli/skein.cjs) through V8's code cache: the compiled code of the
// bundle is kept beside it, which saves most of the parse time at start-up. bin/skein loads it so,
// and so does every worker thread of :cores and of skein mcp.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const Module = require("node:module");

const file = path.join(__dirname, "..", "dist", "src", "cli", "skein.cjs");

/** The bundle's exports. With `writeCache`, a missing or rejected cache is written when the
 *  process exits, so it holds the functions the run compiled too (a read-only install skips it). */
exports.load = function load(writeCache) {
  // the cache is named after the bundle's size and time: V8 checks little more than the source's
  // length, and code cached for another build of the same length crashes
  const { size, mtimeMs } = fs.statSync(file);
  const cacheFile = `${file}.${size}-${Math.floor(mtimeMs)}.cache`;
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(fs.readFileSync(file, "utf8")), { filename: file, cachedData });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, require, mod, file, path.dirname(file));
  if (writeCache && (cachedData === undefined || script.cachedDataRejected)) {
    process.once("exit", () => {
      try {
        fs.writeFileSync(cacheFile, script.createCachedData());
      } catch {
        // no cache
      }
    });
  }
  return mod.exports;
};
