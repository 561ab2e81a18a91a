// The escapes of string literals, one table for the reader (which decodes them) and the printer
// (which writes them back), so that what is written reads back as the same string.

/** The letter after a backslash, and the character it stands for (\u{hex} is handled apart). */
export const STRING_ESCAPES: ReadonlyMap<string, string> = new Map([
  ["n", "\n"],
  ["t", "\t"],
  ["r", "\r"],
  ["0", "\0"],
  ["\\", "\\"],
  ['"', '"'],
]);

/** A character the printer escapes, and the letter it writes after the backslash: all of the
 *  above but \0 (SPEC §3: the write form escapes \" \\ \n \t \r and prints other characters as
 *  they are; a NUL reads back either way). */
export const ESCAPE_LETTER: ReadonlyMap<string, string> = new Map(
  [...STRING_ESCAPES].filter(([letter]) => letter !== "0").map(([letter, c]) => [c, letter]),
);

/** The known escapes as an error message lists them. */
export const KNOWN_ESCAPES = [...STRING_ESCAPES.keys()]
  .map((l) => `\\${l}`)
  .concat("\\u{...}")
  .join(" ");
