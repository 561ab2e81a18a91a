// The spellings models guess: names a model writes for Skein's builtins when it has not read the
// docs. Where the entries come from: the everyday names of Clojure's clojure.core,
// clojure.string, core.async and data.csv; Scheme R7RS-small, SRFI-1 (lists) and SRFI-13
// (strings); Racket's racket/base and racket/string; Common Lisp's FORMAT and sequence
// functions; and the Python and JavaScript names models reach for when they write Lisp (`len`,
// `sum`, `join`, `startswith`), as seen in cold attempts at Skein scripts (issue 10 §2).
//
// Two tables:
// - ALIASES: another name for a builtin, with the same arguments in the same order and the same
//   meaning. `specFor` (registry.ts) answers for the alias with the builtin's own spec, so the
//   alias is the same function: errors name the builtin, `(doc alias)` shows its doc, and the
//   reference lists the alias under it. Only unambiguous names are here.
// - MEANINGS: a name that has no exact twin (another argument order, another return shape, a
//   different idiom) maps to what to write instead, used by "did you mean" everywhere a name
//   is unknown (the running program, items of parallel-map, `skein check`).
// A name that has both a Clojure and a Scheme meaning that disagree (`assoc`, `count` in SRFI-1,
// `reduce` in SRFI-1) keeps Skein's meaning and is in neither table.

export interface Alias {
  /** the builtin it names */
  to: string;
  /** where the spelling comes from */
  from: string;
}

export const ALIASES: Readonly<Record<string, Alias>> = {
  // Scheme, Racket
  "equal?": { to: "=", from: "Scheme (structural equality, as Skein's =)" },
  "eqv?": { to: "eq?", from: "Scheme" },
  "string->list": { to: "seq->list", from: "Scheme (characters are one-character strings)" },
  "make-directory": { to: "make-dir", from: "Racket" },
  "string-append": { to: "str", from: "Scheme, Racket" },
  "list-ref": { to: "nth", from: "Scheme" },
  "vector-ref": { to: "nth", from: "Scheme" },
  "list-tail": { to: "drop", from: "Scheme (take and drop accept the list first)" },
  "list->vector": { to: "vec", from: "Scheme" },
  "vector->list": { to: "seq->list", from: "Scheme" },
  "delete-duplicates": { to: "distinct", from: "SRFI-1" },
  displayln: { to: "println", from: "Racket" },
  "hash-keys": { to: "keys", from: "Racket" },
  "hash-values": { to: "vals", from: "Racket" },
  "file-name": { to: "basename", from: "Babashka (fs/file-name)" },
  "file->string": { to: "read-file", from: "Racket" },
  "file->lines": { to: "read-lines", from: "Racket" },
  // Clojure
  subs: { to: "substring", from: "Clojure" },
  mod: { to: "modulo", from: "Clojure" },
  rem: { to: "remainder", from: "Clojure" },
  quot: { to: "quotient", from: "Clojure" },
  "swap!": { to: "atom-swap!", from: "Clojure" },
  "reset!": { to: "atom-reset!", from: "Clojure" },
  "compare-and-set!": { to: "atom-compare-and-set!", from: "Clojure" },
  pmap: { to: "parallel-map", from: "Clojure" },
  keyword: { to: "string->keyword", from: "Clojure" },
  "fn?": { to: "procedure?", from: "Clojure" },
  chan: { to: "make-channel", from: "Clojure core.async" },
  "close!": { to: "channel-close", from: "Clojure core.async" },
  slurp: { to: "read-file", from: "Clojure" },
  spit: { to: "write-file", from: "Clojure" },
  "ex-info": { to: "make-error", from: "Clojure" },
  "ex-message": { to: "error-msg", from: "Clojure" },
  "ex-data": { to: "error-data", from: "Clojure" },
  throw: { to: "raise", from: "Clojure" },
  // the library's own second spellings
  "parse-csv": { to: "csv-parse", from: "common usage" },
  "pad-left": { to: "string-pad-left", from: "common usage" },
  "pad-right": { to: "string-pad-right", from: "common usage" },
};

/** What to write instead of a name that has no exact twin: a name or an expression, and what differs. */
export interface Meaning {
  /** a builtin's name, or an expression that does the job: `(apply + xs)` */
  use: string;
  note?: string;
}

const m = (use: string, note?: string): Meaning => (note === undefined ? { use } : { use, note });

const FOLD = m("reduce", "(reduce f xs init): the collection before the initial value, f takes (acc item)");
const TO_NUMBER = m("string->number", "nil when the text is not a number");
const STARTS = m("string-starts-with?", "(string-starts-with? s prefix): the string first");
const ENDS = m("string-ends-with?", "(string-ends-with? s suffix): the string first");
const CONTAINS = m("string-contains?", "(string-contains? s part): true or false");
const UPCASE = m("string-upcase");
const REGEX_TEST = m("regex-match", "(regex-match re s) is the match or nil, so it serves as the test");
const REGEX_MATCH = m("regex-match", "(regex-match re s) → (whole group...) or nil");
const DOWNCASE = m("string-downcase");
const TRIM = m("string-trim");
const SPLIT = m("string-split", "(string-split s sep)");
const TO_MAP = m("hash-map", "or a literal {:k v}");
const MAP_GET = m("map-get", "(map-get m k [default])");
const HAS_KEY = m("has-key?", "(has-key? m k)");
const SEND = m("channel-send", "(channel-send ch v)");
const RECV = m("channel-recv", "(channel-recv ch)");
const SPAWN = m("spawn", "(spawn (fn [] ...)) takes a function of no arguments");
const AWAIT = m("task-await", "(task-await task)");
const SH = m("sh", '(sh "cmd ...") → {:exit :out :err}');
const NOW = m("now", "epoch milliseconds; (monotonic-ms) for durations");
const ARGS = m("command-line-args");
const TO_STRING = m("str");
const FORMAT = m("format", '(format "%.2f" x) or (format "~a" x)');
const JSON_PARSE = m("json-parse");
const JSON_WRITE = m("json-stringify");
const READ_CSV = m("csv-parse", "(csv-parse (read-file path) :header #t) → a list of maps");
const WRITE_CSV = m("csv-stringify", "(write-file path (csv-stringify rows))");
const MAPCAT = m("(apply concat (map f xs))");
const KEEP = m("(remove nil? (map f xs))");

export const MEANINGS: Readonly<Record<string, Meaning>> = {
  // tasks and channels
  cancel: m("task-cancel"),
  "future-cancel": m("task-cancel"),
  kill: m("task-cancel", "for a task; a process started with sh ends with its deadline (:timeout)"),
  await: AWAIT,
  wait: AWAIT,
  "thread-join": AWAIT,
  join: m("string-join", "(string-join xs sep) for strings; (task-await task) for a task"),
  deref: m("atom-deref", "@a for an atom; (task-await task) for a task"),
  go: SPAWN,
  future: SPAWN,
  thread: SPAWN,
  "spawn-task": SPAWN,
  ">!": SEND,
  ">!!": SEND,
  "put!": SEND,
  "channel-put": SEND,
  send: SEND,
  "<!": RECV,
  "<!!": RECV,
  "take!": RECV,
  "channel-get": RECV,
  recv: RECV,
  receive: RECV,
  "alts!": m("select"),
  "alts!!": m("select"),
  sync: m("select"),
  "make-chan": m("make-channel"),
  "channel-put!": SEND,
  "close-channel": m("channel-close"),
  // processes
  shell: SH,
  system: SH,
  "shell-command": SH,
  "sh!": SH,
  "run-command": SH,
  exec: m("run", '(run ["prog" "arg" ...]) runs a program without a shell'),
  process: m("run", '(run ["prog" "arg" ...]) runs a program without a shell'),
  // folds and lists
  fold: FOLD,
  foldl: FOLD,
  "fold-left": FOLD,
  "reduce-left": FOLD,
  foldr: m("reduce", "(reduce f (reverse xs) init) folds from the right"),
  "fold-right": m("reduce", "(reduce f (reverse xs) init) folds from the right"),
  iota: m("range", "(range n) or (range start end step)"),
  len: m("length"),
  size: m("count"),
  sum: m("(apply + xs)"),
  product: m("(apply * xs)"),
  sorted: m("sort"),
  "sort-list": m("sort"),
  enumerate: m("(zip (range (count xs)) xs)"),
  "map-indexed": m("(map f (range (count xs)) xs)"),
  elt: m("nth", "(nth xs i)"),
  nthcdr: m("drop", "(drop n xs)"),
  "list-head": m("take", "(take n xs)"),
  mapcat: MAPCAT,
  "append-map": MAPCAT,
  "flat-map": MAPCAT,
  flatmap: MAPCAT,
  keep: KEEP,
  "filter-map": KEEP,
  any: m("some", "(some pred xs) → the first true result, or nil"),
  every: m("every?"),
  all: m("every?"),
  "vector-map": m("map"),
  "vector-for-each": m("for-each"),
  "list-length": m("length"),
  "vector-length": m("count"),
  "string-null?": m("empty?"),
  "empty-string?": m("empty?"),
  // strings
  "string-prefix?": STARTS,
  "starts-with?": STARTS,
  startswith: STARTS,
  "string-suffix?": ENDS,
  "ends-with?": ENDS,
  endswith: ENDS,
  "includes?": CONTAINS,
  "string-includes?": CONTAINS,
  "string-contains": CONTAINS,
  "string-index": m("string-contains?", "(string-contains? s part) for a test; regex-match for a position"),
  // regular expressions (Clojure re-*, Racket regexp-*, and the predicate models invent)
  "regex-match?": REGEX_TEST,
  "regexp-match?": REGEX_TEST,
  "regexp-match": REGEX_MATCH,
  "re-find": REGEX_MATCH,
  "re-matches": m("regex-match", 'anchor the pattern for a whole match: (regex-match "^a+$" s)'),
  "re-seq": m("regex-find-all", "(regex-find-all re s) → every match, a list"),
  "regexp-replace*": m("regex-replace", "(regex-replace re s replacement), with $1 for a group"),
  contains: CONTAINS,
  "upper-case": UPCASE,
  uppercase: UPCASE,
  upper: UPCASE,
  "string-upper": UPCASE,
  "lower-case": DOWNCASE,
  lowercase: DOWNCASE,
  lower: DOWNCASE,
  "string-lower": DOWNCASE,
  trim: TRIM,
  strip: TRIM,
  "string-strip": TRIM,
  "string-trim-both": TRIM,
  split: SPLIT,
  "split-string": SPLIT,
  "split-lines": m("string-lines"),
  lines: m("string-lines"),
  replace: m("string-replace", "(string-replace s old new) replaces every occurrence"),
  "string-replace-all": m("string-replace", "(string-replace s old new) replaces every occurrence"),
  "replace-all": m("string-replace", "(string-replace s old new) replaces every occurrence"),
  "string-concatenate": m("(apply str xs)"),
  concatenate: m("concat"),
  "string-ref": m("(substring s i (+ i 1))"),
  "char-at": m("(substring s i (+ i 1))"),
  "string-pad": m("string-pad-left", "(string-pad-left s width [pad]) right-aligns"),
  rjust: m("string-pad-left"),
  ljust: m("string-pad-right"),
  "pad-start": m("string-pad-left"),
  "pad-end": m("string-pad-right"),
  "->string": TO_STRING,
  "to-string": TO_STRING,
  tostring: TO_STRING,
  "string-format": FORMAT,
  sprintf: FORMAT,
  printf: m("(print (format fmt x ...))"),
  "parse-int": TO_NUMBER,
  "parse-long": TO_NUMBER,
  "parse-double": TO_NUMBER,
  "parse-float": TO_NUMBER,
  "parse-number": TO_NUMBER,
  "string->int": TO_NUMBER,
  "string->integer": TO_NUMBER,
  parseint: TO_NUMBER,
  parselong: TO_NUMBER,
  parsedouble: TO_NUMBER,
  int: m("floor", "(floor x) for a number, (string->number s) for text"),
  pow: m("expt", "(expt base power)"),
  // maps
  dict: TO_MAP,
  hash: TO_MAP,
  "make-hash": TO_MAP,
  "make-hash-table": TO_MAP,
  "hash-table": TO_MAP,
  "hash-ref": MAP_GET,
  "hash-table-ref": MAP_GET,
  "hash-table-get": MAP_GET,
  "dict-ref": MAP_GET,
  "hash-set": m("assoc", "(assoc m k v) returns a new map"),
  "map-set": m("assoc", "(assoc m k v) returns a new map"),
  "map-put": m("assoc", "(assoc m k v) returns a new map"),
  "list->string": m('(string-join xs "")', "characters are one-character strings"),
  "hash-set!": m("assoc", "(assoc m k v) returns a new map; keep state in an atom"),
  "hash-table-set!": m("assoc", "(assoc m k v) returns a new map; keep state in an atom"),
  "hash-has-key?": HAS_KEY,
  "hash-table-exists?": HAS_KEY,
  "contains-key?": HAS_KEY,
  "hash-count": m("count"),
  items: m("seq->list", "(seq->list m) → a list of [k v] vectors"),
  // errors
  "error-message": m("error-msg"),
  "exn-message": m("error-msg"),
  "error-object-message": m("error-msg"),
  "ex-cause": m("error-data"),
  // files and data formats
  "read-csv": READ_CSV,
  "csv-read": READ_CSV,
  "load-csv": READ_CSV,
  "write-csv": WRITE_CSV,
  "csv-write": WRITE_CSV,
  "read-str": JSON_PARSE,
  "parse-string": JSON_PARSE,
  "json-decode": JSON_PARSE,
  "json-read": JSON_PARSE,
  "string->jsexpr": JSON_PARSE,
  "write-str": JSON_WRITE,
  "generate-string": JSON_WRITE,
  "json-encode": JSON_WRITE,
  "json-write": JSON_WRITE,
  "jsexpr->string": JSON_WRITE,
  "read-file-lines": m("read-lines"),
  "file-lines": m("read-lines"),
  "directory-list": m("list-dir"),
  "list-files": m("list-dir", "or (glob pattern)"),
  "write-string": m("write-file", "(write-file path content)"),
  extname: m("extension", '(extension "a/b.log") → "log", without the dot'),
  "file-extension": m("extension", '(extension "a/b.log") → "log", without the dot'),
  parent: m("dirname", '(dirname "a/b.log") → "a"'),
  "join-path": m("path-join", '(path-join "a" "b.log") → "a/b.log"'),
  "path-basename": m("basename", '(basename "a/b.log") → "b.log"'),
  "file-write": m("write-file", "(write-file path content)"),
  "file-read": m("read-file"),
  grep: m("parallel-grep", "(parallel-grep pattern paths) → {:file :line :text} matches"),
  // HTTP and databases
  fetch: m("http-get", "(http-get url [:as :json])"),
  curl: m("http-get", "(http-get url [:as :json])"),
  "sqlite-open": m("db-open", '(db-open "sqlite:path.db") or (db-open "sqlite::memory:")'),
  "open-db": m("db-open", '(db-open "sqlite:path.db") or (db-open "sqlite::memory:")'),
  query: m("db-query", "(db-query db sql [params])"),
  "execute!": m("db-exec", "(db-exec db sql [params])"),
  // system and time
  "current-time": NOW,
  "current-milliseconds": NOW,
  "current-inexact-milliseconds": NOW,
  "current-time-millis": NOW,
  currenttimemillis: NOW,
  "time-ms": NOW,
  args: ARGS,
  argv: ARGS,
  "*command-line-args*": ARGS,
  "current-command-line-arguments": ARGS,
  env: m("getenv", "(getenv name)"),
  "get-env": m("getenv", "(getenv name)"),
  "some?": m("(not (nil? x))"),
};

/** "did you mean ...?" by meaning: the entry for a name, trying the name after a namespace too
 *  (`clojure.string/join`, `str/upper-case`, `Thread/sleep`, `Math/pow`). */
export function meaningOf(name: string, isKnown: (n: string) => boolean): Meaning | undefined {
  const own = Object.hasOwn(MEANINGS, name) ? MEANINGS[name] : undefined;
  if (own !== undefined) return own;
  const slash = name.lastIndexOf("/");
  if (slash <= 0 || slash === name.length - 1) return undefined;
  const bare = name.slice(slash + 1);
  const lower = bare.toLowerCase();
  if (isKnown(bare)) return { use: bare };
  if (Object.hasOwn(ALIASES, bare)) return { use: bare };
  if (Object.hasOwn(MEANINGS, bare)) return MEANINGS[bare];
  if (Object.hasOwn(MEANINGS, lower)) return MEANINGS[lower];
  return isKnown(lower) ? { use: lower } : undefined;
}
