import { describe, expect, it } from "vitest";
import { FILTERED, scrubEvent, scrubString } from "./scrub.ts";

describe("scrubString", () => {
  it.each([
    ["an e-mail address", "no account for ana.gil+x@example.org", "no account for [email]"],
    [
      "a URL's password",
      "connect postgres://ssp:s3cret@db:5432/ssp",
      `connect postgres://${FILTERED}@db:5432/ssp`,
    ],
    [
      "a DSN's key",
      "dsn https://abc123@o1.ingest.sentry.io/42",
      `dsn https://${FILTERED}@o1.ingest.sentry.io/42`,
    ],
    ["a bearer token", "Authorization: Bearer abc.def-ghi", `Authorization: Bearer ${FILTERED}`],
    ["password=value", "login password=hunter2 failed", `login password=${FILTERED} failed`],
    ['"token": "value" in JSON', '{"token": "xyz"}', `{"token": "${FILTERED}"}`],
    ["a bare session token", `token ${"Ab_-".repeat(10)}xyz seen`, `token ${FILTERED} seen`],
    [
      "an ordinary message, unchanged",
      'relation "learners" does not exist',
      'relation "learners" does not exist',
    ],
  ])("filters %s", (_rule, input, expected) => {
    expect(scrubString(input)).toBe(expected);
  });
});

describe("scrubEvent", () => {
  it("drops the user, cookies, body, query and sensitive headers; filters sensitive keys at any depth", () => {
    const event = scrubEvent({
      message: "failed for ana@example.org",
      user: { id: "7", email: "ana@example.org", ip_address: "203.0.113.9" },
      request: {
        method: "POST",
        url: "http://app/trpc/accounts.logIn?input=%7B%22email%22%3A%22ana%40example.org%22%7D",
        headers: {
          Authorization: "Bearer abc",
          Cookie: "sid=1",
          "X-Request-Id": "r1",
          "X-Forwarded-For": "203.0.113.9",
        },
        cookies: { sid: "1" },
        data: '{"password":"hunter2"}',
        query_string: "input=…",
      },
      extra: { nested: { sessionSecret: "s", apiKey: "k", count: 3, note: "password: hunter2" } },
      breadcrumbs: [{ message: "user ana@example.org logged in" }],
    });
    expect(event).not.toHaveProperty("user");
    expect(event.request).toEqual({
      method: "POST",
      url: "http://app/trpc/accounts.logIn",
      headers: { "X-Request-Id": "r1" },
    });
    expect(event.message).toBe("failed for [email]");
    expect(event.extra.nested).toEqual({
      sessionSecret: FILTERED,
      apiKey: FILTERED,
      count: 3,
      note: `password: ${FILTERED}`,
    });
    expect(event.breadcrumbs[0]?.message).toBe("user [email] logged in");
  });
});
