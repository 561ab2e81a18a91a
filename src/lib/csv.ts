// CSV builtins: csv-parse (text → rows, or maps keyed by the header) and csv-stringify (rows or
// maps → text), after RFC 4180: fields separated by a comma (or :separator), records by CRLF or
// LF, a field in double quotes may hold separators, line breaks and "" for a quote.
// Hand-written rather than a parser package: the format is this one state machine, and as a
// job (jobs.ts) it yields every CHUNK fields, so a large file neither blocks other tasks nor
// escapes a deadline, which a package's synchronous parse would.
import { expectedGot } from "../core/messages.js";
import { List as IList } from "immutable";
import { raise } from "../core/error.js";
import { LMap } from "../core/map.js";
import { Keyword, type Value } from "../core/types.js";
import { display, formatNumber } from "../syntax/printer.js";
import { isList, options, seq, str, truthy, typeError } from "./args.js";
import { builtins } from "./registry.js";
import { CHUNK, listOf, runJob, type Job } from "./jobs.js";
import { codePointLength } from "./strings.js";

const def = builtins("csv");

/** The separator option: one character, not a quote or a line break. */
function separatorOf(op: string, v: Value | undefined): string {
  if (v === undefined) return ",";
  const sep = str(op, v);
  if (codePointLength(sep) !== 1 || sep === '"' || sep === "\n" || sep === "\r")
    typeError(op, "a one-character :separator other than a quote or a line break", v);
  return sep;
}

/** The records of text as arrays of strings, with the line each starts on. A blank line is
 *  skipped; a final line break does not make an empty record. */
function* records(text: string, sep: string): Generator<number, { rows: string[][]; starts: number[] }, void> {
  const rows: string[][] = [];
  const starts: number[] = [];
  let start = 1;
  let row: string[] = [];
  let field = "";
  let line = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte-order mark is not part of the first field
  let fields = 0;
  const endField = () => {
    row.push(field);
    field = "";
    if (++fields % CHUNK === 0) return true;
    return false;
  };
  let quotedField = false;
  const endRow = () => {
    if (quotedField || !(row.length === 1 && row[0] === "")) {
      rows.push(row);
      starts.push(start);
    }
    row = [];
    quotedField = false;
    start = line + 1; // endRow comes before the line break is counted
  };
  const n = text.length;
  let atFieldStart = true;
  while (i < n) {
    const c = text[i];
    if (atFieldStart && c === '"') {
      // a quoted field: up to the closing quote, "" standing for one quote
      const startLine = line;
      quotedField = true;
      i++;
      for (;;) {
        if (i >= n) raise(`csv-parse: the quoted field that starts on line ${startLine} is not closed`);
        const d = text[i];
        if (d === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (d === "\n") line++;
        field += d;
        i++;
      }
      if (i < n && text[i] !== sep && text[i] !== "\n" && text[i] !== "\r")
        raise(
          `csv-parse: line ${line} has text after the closing quote of a field: ${JSON.stringify(text.slice(i, i + 20))}`,
        );
      atFieldStart = false;
      continue;
    }
    atFieldStart = false;
    if (c === sep) {
      if (endField()) yield 4 * CHUNK;
      atFieldStart = true;
      i++;
    } else if (c === "\n" || c === "\r") {
      if (endField()) yield 4 * CHUNK;
      endRow();
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
      line++;
      atFieldStart = true;
    } else {
      // an unquoted field runs to the next separator or line break (a quote inside it is kept)
      let j = i + 1;
      while (j < n && text[j] !== sep && text[j] !== "\n" && text[j] !== "\r") j++;
      field += text.slice(i, j);
      i = j;
    }
  }
  if (!atFieldStart || row.length > 0) {
    endField();
    endRow();
  }
  return { rows, starts };
}

function* parse(text: string, sep: string, header: boolean): Job {
  const { rows, starts } = yield* records(text, sep);
  if (!header) return yield* listOf(rows.length, (i) => IList(rows[i]));
  if (rows.length === 0) return yield* listOf(0, () => null);
  const names = rows[0];
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) raise(`csv-parse: the header names the column ${JSON.stringify(name)} twice`);
    seen.add(name);
  }
  const keys = names.map((name) => Keyword.of(name));
  const maps: LMap[] = [];
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r];
    if (row.length !== keys.length)
      raise(
        `csv-parse: the record on line ${starts[r]} has ${row.length} field${row.length === 1 ? "" : "s"} but the header has ${keys.length}: ${JSON.stringify(row.slice(0, 5))}`,
      );
    maps.push(LMap.fromEntries(keys.map((k, i) => [k, row[i]] as const)));
    if (r % CHUNK === 0) yield 8 * CHUNK;
  }
  return yield* listOf(maps.length, (i) => maps[i]);
}

def(
  {
    name: "csv-parse",
    arity: [1, 5],
    usage: '(csv-parse text [:header #t] [:separator ","])',
    doc: 'The records of CSV text (RFC 4180: fields in double quotes may hold separators, line breaks and "" for a quote; lines end in LF or CRLF) as a list of vectors of strings. With :header #t the first record names the columns and each other record becomes a map from keyword to string ({:name "Ada"}); a record with another number of fields, or a header naming a column twice, raises. Blank lines are skipped. Fields stay strings: convert with string->number.',
    examples: [
      ['(csv-parse "a,b\\n1,2\\n")', '(["a" "b"] ["1" "2"])'],
      ['(csv-parse "name,note\\nAda,\\"x, \\"\\"y\\"\\"\\"\\n" :header #t)', '({:name "Ada" :note "x, \\"y\\""})'],
      ['(csv-parse "a;b" :separator ";")', '(["a" "b"])'],
    ],
  },
  (a, m) => {
    const { pos, opts } = options("csv-parse", a, 1, ["header", "separator"]);
    if (pos.length > 1) raise(expectedGot("csv-parse", "the text and options", `${pos.length} positional arguments`));
    const text = str("csv-parse", pos[0]);
    return runJob(
      m,
      "csv-parse",
      parse(text, separatorOf("csv-parse", opts.get("separator")), truthy(opts.get("header") ?? null)),
    );
  },
);

/** A value as the text of one field. */
function fieldText(v: Value): string {
  if (v === null) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number") return formatNumber(v);
  if (v instanceof Keyword) return v.name;
  return display(v);
}

function quoted(s: string, sep: string): string {
  if (!s.includes(sep) && !s.includes('"') && !s.includes("\n") && !s.includes("\r")) return s;
  return '"' + s.replaceAll('"', '""') + '"';
}

function* stringify(rows: Value[], sep: string): Job {
  const lines: string[] = [];
  const line = (fields: Value[]) => lines.push(fields.map((f) => quoted(fieldText(f), sep)).join(sep));
  if (rows.length > 0 && rows.every((r) => r instanceof LMap)) {
    // maps: the columns are their keys, in first-seen order; a missing key is an empty field
    const columns: Value[] = [];
    const known = new Set<string>();
    for (const r of rows as LMap[])
      for (const [k] of r.entries()) {
        const name = fieldText(k);
        if (!known.has(name)) {
          known.add(name);
          columns.push(k);
        }
      }
    line(columns);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i] as LMap;
      line(columns.map((k) => r.get(k, null)));
      if ((i + 1) % CHUNK === 0) yield 16 * CHUNK;
    }
  } else {
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (r instanceof LMap) raise("csv-stringify: expected every row to be a map, or none (got a map among lists)");
      if (!(isList(r) || IList.isList(r))) typeError("csv-stringify", "a row as a list, vector or map", r);
      line(seq("csv-stringify", r));
      if ((i + 1) % CHUNK === 0) yield 16 * CHUNK;
    }
  }
  return lines.length === 0 ? "" : lines.join("\n") + "\n";
}

def(
  {
    name: "csv-stringify",
    arity: [1, 3],
    usage: '(csv-stringify rows [:separator ","])',
    doc: "CSV text of rows, each a list or vector of fields, or each a map: then the first line names the columns (the maps' keys, in first-seen order; a keyword as its name) and a missing key is an empty field. A field is quoted when it holds the separator, a quote or a line break; nil is empty, a number is written as Skein prints it. Lines end in LF, the last one too.",
    examples: [
      ['(csv-stringify [["a" "b"] [1 "x,y"]])', '"a,b\\n1,\\"x,y\\"\\n"'],
      ['(csv-stringify [{:name "Ada" :age 36} {:name "Bo"}])', '"name,age\\nAda,36\\nBo,\\n"'],
    ],
  },
  (a, m) => {
    const { pos, opts } = options("csv-stringify", a, 1, ["separator"]);
    if (pos.length > 1)
      raise(expectedGot("csv-stringify", "the rows and options", `${pos.length} positional arguments`));
    return runJob(
      m,
      "csv-stringify",
      stringify(seq("csv-stringify", pos[0]), separatorOf("csv-stringify", opts.get("separator"))),
    );
  },
);
