// The shapes of Skein's error messages, in one place so that they read alike everywhere:
// "OP: expected WHAT, got VALUE", arity, "permission denied: OP TARGET (run with FLAG)",
// "timeout after Nms". Values are shown by the printer's describe (syntax/printer.ts).
import { ErrorValue, Keyword } from "./types.js";
import { LMap } from "./map.js";

/** `op: expected what, got shown` (shown: the value as describe() prints it). */
export function expectedGot(op: string, what: string, shown: string): string {
  return `${op}: expected ${what}, got ${shown}`;
}

/** How many arguments a function takes, in words: "1", "2 to 3", "at least 1". */
export function arityWords(min: number, max: number): string {
  return min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
}

/** `name: expected N arguments, got M`. */
export function arityMessage(name: string, min: number, max: number, got: number): string {
  const plural = (max === Infinity ? min : max) === 1 ? "" : "s";
  return `${name}: expected ${arityWords(min, max)} argument${plural}, got ${got}`;
}

/** The error value of an operation that ran out of time: {:error "timeout after Nms" :op op}. */
export function timeoutError(ms: number, op?: string): ErrorValue {
  return new ErrorValue(`timeout after ${ms}ms`, op ? LMap.EMPTY.set(Keyword.of("op"), op) : LMap.EMPTY);
}

/** The error value of an operation the sandbox refused: it names the flag that grants it. */
export function permissionError(op: string, shown: string, permission: string, flag: string): ErrorValue {
  return new ErrorValue(
    `permission denied: ${op} ${shown} (run with ${flag})`,
    LMap.fromEntries([
      [Keyword.of("op"), op],
      [Keyword.of("target"), shown],
      [Keyword.of("permission"), permission],
    ]),
  );
}
