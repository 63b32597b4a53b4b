import { type ChallengeResponse, EmptyBody } from "../protocol.ts";
import { defineRoute } from "./route.ts";

// POST /api/session/challenge: a challenge to sign with an SSH key, bound to the origin the page
// was loaded from (the guard has already checked that it is one of this console's own).
export default defineRoute({
  method: "POST",
  path: "/api/session/challenge",
  body: EmptyBody,
  access: "public",
  async handle({ req }, { challenges }) {
    const issued = challenges.issue(String(req.headers.origin ?? ""));
    if (!issued)
      return {
        status: 429,
        rule: "challenge-flood",
        body: { error: "too many sign-in challenges are waiting; try again in a few minutes" },
      };
    const reply: ChallengeResponse = issued;
    return { status: 200, body: reply };
  },
});
