// A type test, checked by `tsc --noEmit -p .` (the typecheck gate), not run by Vitest: the gates
// are keyed by id, so code that names a gate that does not exist fails to compile. If GATES ever
// widens back to a list or a Record<string, …>, the misspelt ids below compile, and tsc reports
// each unused `@ts-expect-error` as an error.
import { GATES, type GateId } from "./gates.ts";

export const unitTitle: string = GATES.unit.title;
export const browser: GateId = "browser";

// @ts-expect-error: "unti" is not a gate.
export const misspelt = GATES.unti;
// @ts-expect-error: "k6smoke" is not a gate id ("k6-smoke" is).
export const misspeltId: GateId = "k6smoke";
