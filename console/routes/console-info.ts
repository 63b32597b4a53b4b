import { readDisabled } from "../../runbooks/engine/disabled.ts";
import { ENVIRONMENTS, resolveEnvironment } from "../../runbooks/engine/environments.ts";
import type { ConsoleInfo } from "../protocol.ts";
import { defineRoute } from "./route.ts";

// GET /api/console: who the page acts as (the signed-in operator, and how they signed in), which environments are configured, what is running,
// and which runbooks changed on disk since the console loaded them.
export default defineRoute({
  method: "GET",
  path: "/api/console",
  access: "session",
  async handle({ session }, { actorOf, sessions, processEnv, runs, registry, dataDir }) {
    const info: ConsoleInfo = {
      actor: actorOf(session),
      signedInVia: sessions.operatorOf(session)?.via ?? "host-link",
      environments: ENVIRONMENTS.map((name) => {
        try {
          // Described, not resolved: the page shows which settings are references, never a value.
          const env = resolveEnvironment(name, processEnv, { resolveReferences: false });
          const references = Object.keys(env.references).length > 0 ? { references: env.references } : {};
          return { name, configured: true, appUrl: env.appUrl, ...references };
        } catch (error) {
          return { name, configured: false, reason: (error as Error).message };
        }
      }),
      running: runs.running(),
      changedOnDisk: await registry.changedOnDisk(),
      disabled: await readDisabled(dataDir),
    };
    return { status: 200, body: info };
  },
});
