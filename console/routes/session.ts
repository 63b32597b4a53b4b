import { LoginBody, type SessionResponse } from "../protocol.ts";
import { sessionCookie } from "../sessions.ts";
import { defineRoute } from "./route.ts";

// POST /api/session: the page exchanges the one-time login token for the session cookie.
export default defineRoute({
  method: "POST",
  path: "/api/session",
  body: LoginBody,
  access: "public",
  async handle({ body }, { sessions, log }) {
    const session = sessions.exchange(body.token);
    if (!session) {
      return {
        status: 401,
        rule: "login-token",
        body: {
          error:
            "this login link was already used or is not the current one; restart the console for a new link",
        },
      };
    }
    log({ msg: "signed in" });
    const reply: SessionResponse = { ok: true };
    return { status: 200, body: reply, headers: { "Set-Cookie": sessionCookie(session) } };
  },
});
