// Network grants: --allow-net items parsed to canonical host and port, and the host and port a
// target URL reaches.
import { SandboxFlagError } from "./permissions.js";

export interface HostGrant {
  host: string;
  port: number | null;
  text: string;
}

const DEFAULT_PORTS: Record<string, number> = {
  "http:": 80,
  "https:": 443,
  "ws:": 80,
  "wss:": 443,
  "postgres:": 5432,
  "postgresql:": 5432,
};

/** A host name or address in canonical form: URL-normalised, lower case, no trailing dot. null if invalid. */
function canonicalHost(host: string): string | null {
  if (host === "" || /[\s/?#@\\]/.test(host)) return null;
  let name: string;
  try {
    name = new URL(`http://${host}/`).hostname;
  } catch {
    return null;
  }
  name = name.toLowerCase();
  if (name.endsWith(".") && name.length > 1) name = name.slice(0, -1);
  return name === "" ? null : name;
}

function portNumber(text: string): number | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : null;
}

/** One --allow-net item: host, host:port, [v6], [v6]:port, a bare v6 address, or a URL (its host and explicit port). */
export function parseHostGrant(item: string): HostGrant {
  const bad = (why: string) => new SandboxFlagError(`--allow-net: ${why}: ${item}`);
  let text = item.trim();
  if (text.includes("://")) {
    let u: URL;
    try {
      u = new URL(text);
    } catch {
      throw bad("not a host or URL");
    }
    text = u.host;
    // new URL drops a port equal to the scheme's default; keep it as the user meant it
    const explicit = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*):(\d+)/i.exec(item.trim());
    if (explicit && !u.port) text = `${explicit[1]}:${explicit[2]}`;
  }
  let host: string;
  let port: number | null = null;
  const bracketed = /^(\[[^\]]+\])(?::([^:]*))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1];
    if (bracketed[2] !== undefined) {
      port = portNumber(bracketed[2]);
      if (port === null) throw bad("bad port");
    }
  } else if ((text.match(/:/g) ?? []).length >= 2) {
    host = `[${text}]`; // a bare IPv6 address: no port possible
  } else {
    const i = text.indexOf(":");
    host = i < 0 ? text : text.slice(0, i);
    if (i >= 0) {
      port = portNumber(text.slice(i + 1));
      if (port === null) throw bad("bad port");
    }
  }
  const canon = canonicalHost(host);
  if (canon === null) throw bad("not a host name or address");
  return { host: canon, port, text: port === null ? canon : `${canon}:${port}` };
}

/** The host and port a net target (a URL, or host[:port]) reaches; null when it cannot be told. */
export function netTarget(target: string): { host: string; port: number | null } | null {
  let u: URL;
  try {
    u = new URL(target);
  } catch {
    try {
      u = new URL(`http://${target}`);
    } catch {
      return null;
    }
  }
  if (u.host === "") return null;
  // non-special schemes (postgres:) leave the host opaque: normalise it as http would
  const host = canonicalHost(u.hostname);
  if (host === null) return null;
  const port = u.port !== "" ? Number(u.port) : (DEFAULT_PORTS[u.protocol] ?? null);
  return { host, port };
}
