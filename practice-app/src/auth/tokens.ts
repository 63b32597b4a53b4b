import { createHash, createHmac, randomBytes } from "node:crypto";

// Session tokens: 256 random bits, shown to the client once. The database keeps only
// HMAC-SHA256(secret, token), so a copy of the sessions table cannot be replayed or checked offline.

const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function newSessionToken(): string {
  return randomBytes(TOKEN_BYTES).toString("base64url");
}

export function isWellFormedToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

export function hashToken(token: string, secret: string): Buffer {
  return createHmac("sha256", secret).update(token).digest();
}

/** Reads "Authorization: Bearer <token>"; anything else is no token. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
  const token = match?.[1];
  return token && isWellFormedToken(token) ? token : null;
}

/**
 * A one-time token's stored form (password-reset links): SHA-256, no secret, so rotating the session
 * secret does not break links in flight. 256 random bits cannot be guessed from their hash.
 */
export function digestToken(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}
