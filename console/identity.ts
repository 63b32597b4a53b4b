import os from "node:os";
import { matchPrincipals, SignatureError } from "../runbooks/engine/ssh-signatures.ts";
import { SIGN_IN, type SignInMethod } from "./protocol.ts";

// Who a console session acts as. The link printed at start signs in the OS user who started the
// console (`<user>@<host> (console)`, as before); everyone else signs in as a named operator,
// either with a personal one-time link minted on the host (`npm run console:link -- --operator
// alice`) or with a challenge signed by their SSH key. Both name the same people: a name must be a
// principal of the allowed-signers file (policy/allowed_signers), the list a team reviews in git
// and the one approvals are checked against, so "who ran it" and "who approved it" are the same
// names, and a typo on the host cannot invent a person.

/** A safe operator name: a principal as git's allowed-signers files spell them (alice, alice@example.org). */
export const OPERATOR_NAME_PATTERN = SIGN_IN.namePattern;

export interface Operator {
  /** The name the audit log records as the actor. */
  name: string;
  via: SignInMethod;
}

export class OperatorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OperatorError";
  }
}

/** The OS user who started the console: what the link printed at start signs in as. */
export function hostOperator(): Operator {
  return { name: `${os.userInfo().username}@${os.hostname()} (console)`, via: "host-link" };
}

/** The problem with `name` as an operator name, or null. */
export function operatorNameProblem(name: string): string | null {
  if (OPERATOR_NAME_PATTERN.test(name)) return null;
  return `"${name.slice(0, 80)}" is not an operator name: 1-64 letters, digits and . _ @ + -, starting with a letter or digit (a principal of the allowed-signers file, e.g. alice or alice@example.org)`;
}

/** Checks that `name` is a safe name listed in the allowed-signers file; returns the operator. */
export async function listedOperator(allowedSigners: string, name: string): Promise<Operator> {
  const problem = operatorNameProblem(name);
  if (problem) throw new OperatorError(problem);
  let matched: string[];
  try {
    matched = await matchPrincipals(allowedSigners, name);
  } catch (error) {
    throw new OperatorError(error instanceof SignatureError ? error.message : String(error));
  }
  if (matched.length === 0)
    throw new OperatorError(
      `"${name}" is not a principal of ${allowedSigners}: add a line for them (their name and public key) through review, then mint the link`,
    );
  return { name, via: "operator-link" };
}
