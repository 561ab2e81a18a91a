// The capability table (src/sandbox/permissions.ts) against the registry: every builtin that
// reaches outside the process is tagged with what it needs, and each tagged builtin, called with
// nothing granted, is refused through the table (the error names the table's flag for one of
// its capabilities). A new I/O builtin without a tag, or a tag without a case here, fails.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Session, type Host } from "../../src/session/session.js";
import { allSpecs } from "../../src/lib/registry.js";
import { parseSandboxFlags, SANDBOX_USAGE } from "../../src/sandbox/sandbox.js";
import { CAPABILITY_FLAG, CAPABILITY_TABLE, type Capability } from "../../src/sandbox/permissions.js";
import { ErrorValue, Keyword, type Value } from "../../src/core/types.js";
import { write } from "../../src/syntax/printer.js";

/** The areas whose builtins live in host/: the ones that may reach outside the process. */
const HOST_AREAS = new Set(["fs", "http", "process", "db", "system", "mcp"]);

/** Builtins of those areas that reach nothing outside the process, and why. */
const INSIDE: Record<string, string> = {
  "command-line-args": "the arguments the session was given",
  exit: "ends the session",
  now: "the clock",
  "monotonic-ms": "the clock",
  cwd: "the session's working directory, a name only",
  basename: "works on the path's text, touches nothing",
  dirname: "works on the path's text, touches nothing",
  extension: "works on the path's text, touches nothing",
  "path-join": "works on the path's text, touches nothing",
  "db-query": "acts only on a handle db-open gave (checked there)",
  "db-exec": "acts only on a handle db-open gave (checked there)",
  "db-close": "acts only on a handle db-open gave",
  "mcp-tools": "acts only on a connection mcp-connect or mcp-server gave",
  "mcp-call": "acts only on a connection mcp-connect or mcp-server gave",
  "mcp-close": "acts only on a connection mcp-connect or mcp-server gave",
  "mcp-servers": "the names the host declared",
  "mcp-server": "reaches only servers the host declared and started itself",
};

/** One call per tagged builtin that needs its capability, with nothing granted but a read grant
 *  of a directory that does not contain the target. */
const CALLS: Record<string, string> = {
  getenv: `(getenv "HOME")`,
  "http-get": `(http-get "http://127.0.0.1:9/")`,
  "http-post": `(http-post "http://127.0.0.1:9/" :body "x")`,
  "http-put": `(http-put "http://127.0.0.1:9/" :body "x")`,
  "http-delete": `(http-delete "http://127.0.0.1:9/")`,
  "http-request": `(http-request {:method :get :url "http://127.0.0.1:9/"})`,
  "read-file": `(read-file "/etc/hostname")`,
  "read-lines": `(read-lines "/etc/hostname")`,
  "write-file": `(write-file "/tmp/skein-capability-test" "x")`,
  "append-file": `(append-file "/tmp/skein-capability-test" "x")`,
  "file-size": `(file-size "/etc/hostname")`,
  "file-exists?": `(file-exists? "/etc/hostname")`,
  "list-dir": `(list-dir "/etc")`,
  "make-dir": `(make-dir "/tmp/skein-capability-test-dir")`,
  "delete-file": `(delete-file "/tmp/skein-capability-test")`,
  glob: `(glob "*" :cwd "/etc")`,
  sh: `(sh "true")`,
  run: `(run ["true"])`,
  "db-open": `(db-open "sqlite:/etc/skein-capability-test.db")`,
  "%read-file-forms": `(try (%read-file-forms "/etc/hostname") (catch e e))`,
  "mcp-connect": `(mcp-connect "true")`,
};

const caps = (c: Capability | readonly Capability[] | undefined): Capability[] => (c === undefined ? [] : [c].flat());

async function denied(src: string): Promise<Value> {
  const { permissions } = parseSandboxFlags(["--allow-read=/nonexistent-skein-grant"]);
  const host: Host = {
    stdout: () => {},
    stderr: () => {},
    stderrIsTTY: false,
    cwd: "/",
    argv: [],
    env: { HOME: "/root" },
    exit() {},
    permissions,
  };
  const session = new Session(host);
  const o = await session.run(session.read(src, "case.lisp"), "case.lisp");
  assert.equal(o.status, "done", o.error ? session.renderError(o.error) : o.status);
  return o.value;
}

describe("the capability table", () => {
  const specs = allSpecs();
  test("every builtin of a host area is tagged, or reaches nothing outside the process", () => {
    const untagged = specs
      .filter((s) => HOST_AREAS.has(s.area) && s.capability === undefined && !(s.name in INSIDE))
      .map((s) => s.name);
    assert.deepEqual(untagged, [], "untagged builtins that may reach outside the process");
    for (const name of Object.keys(INSIDE))
      assert.ok(
        specs.some((s) => s.name === name && s.capability === undefined),
        `${name} is listed as inside but is tagged or gone`,
      );
  });
  test("every tagged builtin has a case, and only those", () => {
    assert.deepEqual(
      specs
        .filter((s) => s.capability !== undefined)
        .map((s) => s.name)
        .sort(),
      Object.keys(CALLS).sort(),
    );
  });
  for (const spec of specs.filter((s) => s.capability !== undefined)) {
    test(`${spec.name} with nothing granted is refused through the table`, async () => {
      const v = await denied(CALLS[spec.name]);
      assert.ok(v instanceof ErrorValue, `expected a denial, got ${write(v)}`);
      const perm = v.data.get(Keyword.of("permission"), null) as Capability | null;
      assert.ok(
        perm !== null && caps(spec.capability).includes(perm),
        `${spec.name} denied for ${perm}, tagged ${caps(spec.capability)}`,
      );
      assert.ok(
        v.message.startsWith("permission denied: ") && v.message.endsWith(`(run with ${CAPABILITY_FLAG[perm]})`),
        v.message,
      );
    });
  }
  test("the usage text and the flags come from the table", () => {
    for (const c of CAPABILITY_TABLE) {
      assert.ok(SANDBOX_USAGE.includes(`${c.flag}[=${c.items}]`), `usage lists ${c.flag}`);
      assert.ok(
        parseSandboxFlags([c.flag]).permissions?.allows(
          c.cap,
          c.target === "paths" ? "/tmp" : c.target === "hosts" ? "http://x/" : "x",
        ),
      );
    }
  });
});
