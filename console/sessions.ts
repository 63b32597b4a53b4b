import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

// Who may use the console: whoever opened the one-time login link printed at start. The link's
// token is exchanged once for a session cookie; event streams need a ticket from the request that
// started the run, used once, within a few seconds.

export const SESSION_COOKIE = "ssp_console";

const token = () => randomBytes(32).toString("base64url");
const digest = (value: string) => createHash("sha256").update(value).digest();
const same = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

interface Ticket {
  session: string;
  runId: string;
  expires: number;
}

export interface SessionOptions {
  /** Idle time after which a session ends. */
  idleMs?: number;
  ticketMs?: number;
  now?: () => number;
}

export class ConsoleSessions {
  private loginToken: string | null = null;
  private readonly sessions = new Map<string, number>();
  private readonly tickets = new Map<string, Ticket>();
  private readonly idleMs: number;
  private readonly ticketMs: number;
  private readonly now: () => number;

  constructor(options: SessionOptions = {}) {
    this.idleMs = options.idleMs ?? 12 * 3_600_000;
    this.ticketMs = options.ticketMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  /** A new one-time login token; any earlier unused one stops working. */
  mintLoginToken(): string {
    this.loginToken = token();
    return this.loginToken;
  }

  /** Exchanges the login token for a session id, once. */
  exchange(candidate: unknown): string | null {
    if (typeof candidate !== "string" || this.loginToken === null || !same(candidate, this.loginToken))
      return null;
    this.loginToken = null;
    const id = token();
    this.sessions.set(id, this.now());
    return id;
  }

  /** The session named by the request's cookie header, if it is live. */
  fromCookie(cookieHeader: string | undefined): string | null {
    const id = readCookie(cookieHeader, SESSION_COOKIE);
    if (!id) return null;
    for (const [session, lastSeen] of this.sessions) {
      if (!same(session, id)) continue;
      if (this.now() - lastSeen > this.idleMs) {
        this.sessions.delete(session);
        return null;
      }
      this.sessions.set(session, this.now());
      return session;
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

export function sessionCookie(id: string): string {
  return `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/`;
}

function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return null;
}
