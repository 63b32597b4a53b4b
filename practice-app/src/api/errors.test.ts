import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./errors.ts";

function pgError(code: string, message = "error"): Error {
  return Object.assign(new Error(message), { code });
}

describe("isDatabaseUnavailable", () => {
  it.each([
    ["57P01", "terminating connection due to administrator command"],
    ["57014", "canceling statement due to statement timeout"],
    ["40P01", "deadlock detected"],
    ["40001", "could not serialize access due to concurrent update"],
  ])("%s (%s): transient, answered 503 so the client tries again", (code, message) => {
    expect(isDatabaseUnavailable(pgError(code, message))).toBe(true);
  });

  it.each([
    ["23505", "duplicate key value violates unique constraint"],
    ["42P01", 'relation "cards" does not exist'],
    ["22P02", "invalid input syntax"],
  ])("%s (%s): a fault of the query or the schema, not of availability", (code, message) => {
    expect(isDatabaseUnavailable(pgError(code, message))).toBe(false);
  });
});
