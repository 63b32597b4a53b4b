import { LoginBody, type SessionResponse } from "../protocol.ts";
import { sessionCookie } from "../sessions.ts";
import { defineRoute } from "./route.ts";

// POST /api/session: the page exchanges a one-time login token for the session cookie of the
// operator the link was minted for (the host's user, or a named operator).
export default defineRoute({
  method: "POST",
  path: "/api/session",
  body: LoginBody,
  access: "public",
  async handle({ body }, { sessions, secure, log }) {
    const signedIn = sessions.exchange(body.token);
    if (!signedIn) {
      return {
        status: 401,
        rule: "login-token",
        body: {
          error:
            "this login link was already used, has expired or is not the current one: ask for a new one (npm run console:link on the console's host)",
        },
      };
    }
    log({ msg: "signed in", operator: signedIn.operator.name, via: signedIn.operator.via });
    const reply: SessionResponse = { ok: true, operator: signedIn.operator.name };
    return {
      status: 200,
      body: reply,
      headers: { "Set-Cookie": sessionCookie(signedIn.session, { secure }) },
    };
  },
});
