import { describe, expect, it } from "vitest";
import { ConsoleSessions, SESSION_COOKIE } from "./sessions.ts";

describe("ConsoleSessions", () => {
  it("trades the login token once, and only the newest token", () => {
    const sessions = new ConsoleSessions();
    const old = sessions.mintLoginToken();
    const token = sessions.mintLoginToken();
    expect(sessions.exchange(old)).toBeNull();
    const id = sessions.exchange(token);
    expect(id).toMatch(/^[\w-]{43}$/);
    expect(sessions.exchange(token)).toBeNull();
    expect(sessions.exchange(undefined)).toBeNull();
    expect(sessions.fromCookie(`other=1; ${SESSION_COOKIE}=${id}`)).toBe(id);
    expect(sessions.fromCookie(`${SESSION_COOKIE}=${id}x`)).toBeNull();
  });

  it("ends idle sessions and expires tickets; a ticket works once, for its session and run", () => {
    let now = 0;
    const sessions = new ConsoleSessions({ idleMs: 1_000, ticketMs: 100, now: () => now });
    const id = sessions.exchange(sessions.mintLoginToken()) as string;
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
