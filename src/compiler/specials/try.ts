// try with catch and finally: a handler on the machine's handler stack names this activation's
// slots and the pcs of its catch and finally code (see Machine.pushHandler and complete).
import { Pair, Sym, listToArray, type Value } from "../../core/types.js";
import { emitForEffect, js, ret } from "../codegen.js";
import type { SpecialForm } from "../context.js";
import { S, syntaxError } from "../forms.js";
import { Scope } from "../scope.js";

const tryForm: SpecialForm = (c, args, sc, fn, tail, loc) => {
  let catchClause: Value[] | null = null,
    catchName: Sym | null = null,
    finallyBody: Value[] | null = null;
  const body: Value[] = [];
  for (const a of args) {
    if (a instanceof Pair && a.car === S.catch) {
      const parts = listToArray(a.cdr as Pair);
      const name = parts[0];
      if (!(name instanceof Sym)) syntaxError("catch: expected (catch name body...)", a.loc ?? loc);
      catchClause = parts;
      catchName = name;
    } else if (a instanceof Pair && a.car === S.finally) {
      finallyBody = listToArray(a.cdr as Pair);
    } else {
      if (catchClause || finallyBody) syntaxError("try: catch and finally must come last", loc);
      body.push(a);
    }
  }
  if (!catchClause && !finallyBody) return c.compileBody(body, sc, fn, tail, loc);
  const errSlot = fn.alloc();
  const kindSlot = fn.alloc();
  fn.alloc(); // kind, then the pending value or error
  const res = fn.temp();
  const catchPc = catchClause ? fn.newPc(loc) : -1;
  const finPc = finallyBody ? fn.newPc(loc) : -1;
  const endPc = fn.newPc(loc);
  const after = finallyBody ? finPc : endPc;
  // the handlers name this activation's slots array, so here the slots are always s[i]
  fn.hasHandlers = true;
  fn.emit(`m.pushHandler(s, ${catchPc}, ${finPc}, ${errSlot}, ${kindSlot});`);
  const b = c.compileBody(body, sc, fn, false, loc);
  fn.emit(js`${res} = ${b}; m.popHandler(); s[${kindSlot}] = 0; pc = ${after}; continue;`);
  if (catchClause) {
    fn.resumeLabel(catchPc);
    if (finallyBody) fn.emit(`m.pushHandler(s, -1, ${finPc}, ${errSlot}, ${kindSlot});`);
    const scope = new Scope(fn, sc);
    scope.vars.set(catchName as Sym, errSlot);
    const cv = c.compileBody(catchClause.slice(1), scope, fn, false, loc);
    fn.emit(js`${res} = ${cv}; ${finallyBody ? "m.popHandler(); " : ""}s[${kindSlot}] = 0; pc = ${after}; continue;`);
  }
  if (finallyBody) {
    fn.resumeLabel(finPc);
    emitForEffect(fn, c.compileBody(finallyBody, sc, fn, false, loc));
    fn.emit(`if (s[${kindSlot}] !== 0) m.complete(s[${kindSlot}], s[${kindSlot} + 1]);`);
  }
  fn.label(endPc);
  return ret(fn, res, tail);
};

export const tryForms: Record<string, SpecialForm> = { try: tryForm };
