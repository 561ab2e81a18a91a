// Registers the builtins that reach outside the process: files, HTTP, subprocesses, databases, system, MCP.
import "./system.js";
import "./http.js";
import "./fs.js";
import "./process.js";
import "./db/db.js";
import "./mcp.js";
