import { describe, expect, it } from "vitest";
import { bearerToken, hashToken, isWellFormedToken, newSessionToken } from "./tokens.ts";

describe("session tokens", () => {
  it("carry 256 random bits and never repeat", () => {
    const tokens = new Set(Array.from({ length: 1000 }, newSessionToken));
    expect(tokens.size).toBe(1000);
    for (const token of tokens) {
      expect(isWellFormedToken(token)).toBe(true);
      expect(Buffer.from(token, "base64url").length).toBe(32);
    }
  });

  it("hash differently under different secrets", () => {
    const token = newSessionToken();
    const a = hashToken(token, "a".repeat(32));
    expect(a.equals(hashToken(token, "a".repeat(32)))).toBe(true);
    expect(a.equals(hashToken(token, "b".repeat(32)))).toBe(false);
    expect(a.toString("hex")).not.toContain(Buffer.from(token).toString("hex"));
  });

  it("are read only from a well-formed Bearer header", () => {
    const token = newSessionToken();
    expect(bearerToken(`Bearer ${token}`)).toBe(token);
    expect(bearerToken(`bearer ${token}`)).toBe(token);
    expect(bearerToken(token)).toBeNull();
    expect(bearerToken(`Bearer ${token}x`)).toBeNull();
    expect(bearerToken("Bearer ../../etc")).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
});
