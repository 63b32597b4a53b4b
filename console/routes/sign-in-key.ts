import { KeySignInBody, type SessionResponse } from "../protocol.ts";
import { sessionCookie } from "../sessions.ts";
import { defineRoute } from "./route.ts";

// POST /api/session/key: a challenge signed with the operator's SSH key, traded for a session of
// the principal the allowed-signers file lists for that key. Each refusal names its reason
// (unknown, replayed, expired, unlisted, forged…) and is audited with the name the key claims.
export default defineRoute({
  method: "POST",
  path: "/api/session/key",
  body: KeySignInBody,
  access: "public",
  async handle({ body, req }, { challenges, sessions, secure, log }) {
    const outcome = await challenges.verify({
      id: body.challenge,
      signature: body.signature,
      origin: String(req.headers.origin ?? ""),
    });
    if ("rule" in outcome)
      return {
        status: outcome.status,
        rule: outcome.rule,
        body: { error: outcome.error },
        ...(outcome.claimed ? { claimed: outcome.claimed } : {}),
      };
    const session = sessions.open(outcome);
    log({ msg: "signed in", operator: outcome.name, via: outcome.via });
    const reply: SessionResponse = { ok: true, operator: outcome.name };
    return { status: 200, body: reply, headers: { "Set-Cookie": sessionCookie(session, { secure }) } };
  },
});
