import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Operator } from "./identity.ts";
import { SIGN_IN } from "./protocol.ts";

// Who may use the console, and as whom: whoever opened a one-time login link (the one printed at
// start signs in the OS user; `npm run console:link -- --operator alice` mints one for alice), or
// signed a challenge with their SSH key (sign-in-challenges.ts). A link's token is exchanged once
// for a session cookie, and the session carries its operator, whose name every run and refusal
// from it records. Event streams need a ticket from the request that started the run, used once,
// within a few seconds.

export const SESSION_COOKIE = "ssp_console";

/** How long a named operator's one-time link stays usable. */
export const OPERATOR_LINK_MS = SIGN_IN.operatorLinkMinutes * 60_000;

const token = () => randomBytes(32).toString("base64url");
const digest = (value: string) => createHash("sha256").update(value).digest();
const same = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

interface LoginToken {
  token: string;
  operator: Operator;
  /** null: valid until used or replaced (the host's own link). */
  expires: number | null;
}

interface Session {
  lastSeen: number;
  operator: Operator;
}

interface Ticket {
  session: string;
  runId: string;
  expires: number;
}

export interface SessionOptions {
  /** Idle time after which a session ends. */
  idleMs?: number;
  ticketMs?: number;
  /** How long a named operator's link stays usable (it travels to them through chat or mail). */
  operatorLinkMs?: number;
  now?: () => number;
}

export class ConsoleSessions {
  /** The unused login token of each operator, by name: a new one replaces theirs only. */
  private readonly loginTokens = new Map<string, LoginToken>();
  private readonly sessions = new Map<string, Session>();
  private readonly tickets = new Map<string, Ticket>();
  private readonly idleMs: number;
  private readonly ticketMs: number;
  private readonly operatorLinkMs: number;
  private readonly now: () => number;

  constructor(options: SessionOptions = {}) {
    this.idleMs = options.idleMs ?? 12 * 3_600_000;
    this.ticketMs = options.ticketMs ?? 30_000;
    this.operatorLinkMs = options.operatorLinkMs ?? OPERATOR_LINK_MS;
    this.now = options.now ?? Date.now;
  }

  /**
   * A new one-time login token for `operator`; that operator's earlier unused one stops working
   * (others' do not). A named operator's token expires; the host's own does not.
   */
  mintLoginToken(operator: Operator): string {
    const value = token();
    const expires = operator.via === "host-link" ? null : this.now() + this.operatorLinkMs;
    this.loginTokens.set(operator.name, { token: value, operator, expires });
    return value;
  }

  /** Exchanges a login token for a session of its operator, once. */
  exchange(candidate: unknown): { session: string; operator: Operator } | null {
    if (typeof candidate !== "string") return null;
    for (const [name, entry] of this.loginTokens) {
      if (!same(candidate, entry.token)) continue;
      this.loginTokens.delete(name);
      if (entry.expires !== null && this.now() > entry.expires) return null;
      return { session: this.open(entry.operator), operator: entry.operator };
    }
    return null;
  }

  /** A new session for an operator whose identity was proven another way (an SSH signature). */
  open(operator: Operator): string {
    const id = token();
    this.sessions.set(id, { lastSeen: this.now(), operator });
    return id;
  }

  /** The session named by the request's cookie header, if it is live (and marks it used). */
  fromCookie(cookieHeader: string | undefined): string | null {
    const found = this.find(cookieHeader);
    if (!found) return null;
    found[1].lastSeen = this.now();
    return found[0];
  }

  /** Who holds the session the cookie names, without counting it as activity (for the audit log). */
  operatorOfCookie(cookieHeader: string | undefined): Operator | null {
    return this.find(cookieHeader)?.[1].operator ?? null;
  }

  /** The operator of a live session id. */
  operatorOf(session: string): Operator | null {
    return this.sessions.get(session)?.operator ?? null;
  }

  private find(cookieHeader: string | undefined): [string, Session] | null {
    const id = readCookie(cookieHeader, SESSION_COOKIE);
    if (!id) return null;
    for (const [session, entry] of this.sessions) {
      if (!same(session, id)) continue;
      if (this.now() - entry.lastSeen > this.idleMs) {
        this.sessions.delete(session);
        return null;
      }
      return [session, entry];
    }
    return null;
  }

  issueTicket(session: string, runId: string): string {
    const ticket = token();
    this.tickets.set(ticket, { session, runId, expires: this.now() + this.ticketMs });
    return ticket;
  }

  /** True once for a ticket issued to this session for this run, within its lifetime. */
  redeemTicket(ticket: string | null, session: string, runId: string): boolean {
    for (const [key, value] of this.tickets) if (value.expires < this.now()) this.tickets.delete(key);
    if (!ticket) return false;
    const found = this.tickets.get(ticket);
    if (!found) return false;
    this.tickets.delete(ticket);
    return found.session === session && found.runId === runId && found.expires >= this.now();
  }
}

/** The session cookie; `secure` when the browser reaches the console over https (TLS here or at a proxy). */
export function sessionCookie(id: string, options: { secure?: boolean } = {}): string {
  return `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/${options.secure ? "; Secure" : ""}`;
}

function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return null;
}
