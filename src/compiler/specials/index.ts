// The one table of special forms: each name the compiler handles itself, with the function that
// compiles it. They cannot be redefined globally, only shadowed by a local of the same name.
import type { SpecialForm } from "../context.js";
import { bindingForms } from "./bindings.js";
import { controlForms } from "./control.js";
import { definitionForms } from "./definitions.js";
import { ifLetForms } from "./if-let.js";
import { lambdaForms } from "./lambda.js";
import { loopForms } from "./loops.js";
import { quotingForms } from "./quoting.js";
import { tryForms } from "./try.js";

export const SPECIAL_FORMS: ReadonlyMap<string, SpecialForm> = new Map(
  Object.entries({
    ...quotingForms,
    ...definitionForms,
    ...lambdaForms,
    ...bindingForms,
    ...controlForms,
    ...tryForms,
    ...loopForms,
    ...ifLetForms,
  }),
);
