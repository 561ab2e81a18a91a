// The fixed table of special forms: names the compiler handles itself (they cannot be
// redefined globally, only shadowed by a local of the same name).
export const SPECIAL_FORMS = new Map<string, string>(
  [
    "quote", "quasiquote", "unquote", "unquote-splicing", "if", "define", "def", "defn", "set!",
    "lambda", "fn", "let", "let*", "letrec", "letrec*", "begin", "do", "and", "or", "cond", "case",
    "when", "unless", "->", "->>", "try", "defmacro",
  ].map((n) => [n, n]),
);
