// Registers the pure builtins (and those that need only the session context), one file per area.
import "./numbers.js";
import "./strings.js";
import "./seq.js";
import "./maps.js";
import "./json.js";
import "./csv.js";
import "./core.js";
import "./concurrency.js";
