import { describe, expect, it } from "vitest";
import type { Operator } from "./identity.ts";
import { ConsoleSessions, SESSION_COOKIE, sessionCookie } from "./sessions.ts";

const host: Operator = { name: "ops@host (console)", via: "host-link" };
const alice: Operator = { name: "alice", via: "operator-link" };
const bob: Operator = { name: "bob", via: "operator-link" };

describe("ConsoleSessions", () => {
  it("trades the login token once, and only the newest token", () => {
    const sessions = new ConsoleSessions();
    const old = sessions.mintLoginToken(host);
    const token = sessions.mintLoginToken(host);
    expect(sessions.exchange(old)).toBeNull();
    const id = sessions.exchange(token)?.session;
    expect(id).toMatch(/^[\w-]{43}$/);
    expect(sessions.exchange(token)).toBeNull();
    expect(sessions.exchange(undefined)).toBeNull();
    expect(sessions.fromCookie(`other=1; ${SESSION_COOKIE}=${id}`)).toBe(id);
    expect(sessions.fromCookie(`${SESSION_COOKIE}=${id}x`)).toBeNull();
  });

  it("keeps each operator's link apart: a new link replaces only that operator's, and the session names them", () => {
    const sessions = new ConsoleSessions();
    const forAlice = sessions.mintLoginToken(alice);
    const forBob = sessions.mintLoginToken(bob);
    const forHost = sessions.mintLoginToken(host);
    const a = sessions.exchange(forAlice);
    const b = sessions.exchange(forBob);
    const h = sessions.exchange(forHost);
    expect([a?.operator.name, b?.operator.name, h?.operator.name]).toEqual(["alice", "bob", host.name]);
    expect(sessions.operatorOf(a?.session ?? "")).toEqual(alice);
    expect(sessions.operatorOfCookie(`${SESSION_COOKIE}=${b?.session}`)).toEqual(bob);
    const stale = sessions.mintLoginToken(alice);
    sessions.mintLoginToken(alice);
    expect(sessions.exchange(stale)).toBeNull();
  });

  it("expires a named operator's link, never the host's", () => {
    let now = 0;
    const sessions = new ConsoleSessions({ operatorLinkMs: 1_000, now: () => now });
    const forAlice = sessions.mintLoginToken(alice);
    const forHost = sessions.mintLoginToken(host);
    now = 1_001;
    expect(sessions.exchange(forAlice)).toBeNull();
    expect(sessions.exchange(forHost)?.operator).toEqual(host);
  });

  it("marks the cookie Secure under TLS", () => {
    expect(sessionCookie("x")).not.toContain("Secure");
    expect(sessionCookie("x", { secure: true })).toMatch(/; Secure$/);
  });

  it("ends idle sessions and expires tickets; a ticket works once, for its session and run", () => {
    let now = 0;
    const sessions = new ConsoleSessions({ idleMs: 1_000, ticketMs: 100, now: () => now });
    const id = sessions.exchange(sessions.mintLoginToken(host))?.session as string;
    const ticket = sessions.issueTicket(id, "run-1");
    expect(sessions.redeemTicket(ticket, id, "run-2")).toBe(false);
    const second = sessions.issueTicket(id, "run-1");
    expect(sessions.redeemTicket(second, "someone-else", "run-1")).toBe(false);
    const third = sessions.issueTicket(id, "run-1");
    now = 101;
    expect(sessions.redeemTicket(third, id, "run-1")).toBe(false);
    const fourth = sessions.issueTicket(id, "run-1");
    expect(sessions.redeemTicket(fourth, id, "run-1")).toBe(true);
    expect(sessions.redeemTicket(fourth, id, "run-1")).toBe(false);
    now += 1_001;
    expect(sessions.fromCookie(`${SESSION_COOKIE}=${id}`)).toBeNull();
  });
});
