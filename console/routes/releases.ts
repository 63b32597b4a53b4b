import { REPO_ROOT } from "../../runbooks/engine/paths.ts";
import { COMMIT_PATTERN, type ReleasesResponse } from "../protocol.ts";
import { compareReleases } from "../releases.ts";
import { defineRoute } from "./route.ts";

// GET /api/releases?handbook=<commit>: the release each environment runs, compared with the commit
// the page was built from (its footer says which).
export default defineRoute({
  method: "GET",
  path: "/api/releases",
  access: "session",
  async handle({ query }, { processEnv }) {
    const handbook = query.get("handbook");
    if (handbook !== null && !COMMIT_PATTERN.test(handbook))
      return {
        status: 400,
        body: { error: `handbook must be a full git commit (40 hex digits), not "${handbook.slice(0, 60)}"` },
        rule: "handbook commit",
      };
    const reply: ReleasesResponse = {
      handbook,
      environments: await compareReleases(handbook, processEnv, REPO_ROOT),
    };
    return { status: 200, body: reply };
  },
});
