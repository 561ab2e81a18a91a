// Loads every builtin area so each registers itself in the registry.
import "./numbers.js";
import "./strings.js";
import "./seq.js";
import "./maps.js";
import "./json.js";
import "./core.js";
import "./concurrency.js";
import "./http.js";
import "./fs.js";
import "./process.js";
import "./db.js";
