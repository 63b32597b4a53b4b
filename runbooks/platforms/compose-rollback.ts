/**
 * Roll back with Docker Compose
 *
 * Purpose: return the compose stack's app instances to the image compose-deploy kept as :previous:
 *   retag it as the image the compose file names, recreate app1 then app2 from it without a build
 *   (each waits until healthy), and check /readyz through nginx. The database stays as it is:
 *   migrations are expand-only, so the previous release runs on the newer schema.
 * Sent here by: a compose deploy that fails its verification (Deployment Playbook → Platforms →
 *   Docker).
 * Preconditions: Docker Engine with the Compose plugin (the runbook refuses without it); a
 *   previous image kept by compose-deploy.
 * Blast radius: the compose project's two app containers.
 */
import { z } from "zod";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import {
  APP_SERVICES,
  checkComposeFile,
  compose,
  composeFileParam,
  composeUrlParam,
  PREVIOUS_TAG,
  readiness,
  requireDocker,
  shown,
  withTag,
} from "./_compose.ts";

const params = z.object({
  composeFile: composeFileParam,
  url: composeUrlParam,
});
type Params = z.infer<typeof params>;

const inspect = (image: string) => ["docker", "image", "inspect", "--format", "{{.Id}}", image];
const restore = (image: string) => ["docker", "image", "tag", withTag(image, PREVIOUS_TAG), image];
const replace = (p: Params, service: string) =>
  compose(p.composeFile, "up", "-d", "--no-deps", "--no-build", "--wait", service);

export default defineRunbook({
  id: "compose-rollback",
  title: "Roll back with Docker Compose",
  summary: "Retags the :previous image, recreates app1 then app2 from it without a build, checks /readyz.",
  guide: "deployment-playbook",
  section: "Docker (docker compose)",
  params,
  steps: (step) => [
    step({
      id: "compose-file",
      title: "Check the compose file",
      description:
        "The services, image, migrate command, health dependencies and loopback ports this runbook relies on.",
      danger: "read",
      timeoutMs: seconds(10),
      run(ctx) {
        const { image, problems } = checkComposeFile(ctx.params.composeFile);
        if (problems.length > 0)
          throw new Error(
            `${ctx.params.composeFile} is not what this runbook expects:\n  - ${problems.join("\n  - ")}`,
          );
        ctx.log(`${ctx.params.composeFile}: as expected; the apps run ${image}`);
        return { image };
      },
    }),
    step({
      id: "docker",
      title: "Docker and its Compose plugin",
      description: "Refuses, naming what to install, when docker or docker compose is missing.",
      danger: "read",
      timeoutMs: seconds(20),
      run: (ctx) => requireDocker(ctx),
    }),
    step({
      id: "restore-image",
      title: "Put the previous image back",
      description: "Tags :previous as the image the compose file names (refuses when there is no :previous).",
      danger: "change",
      timeoutMs: seconds(30),
      plan: (ctx) => {
        const { image } = ctx.result<{ image: string }>("compose-file");
        return [shown(inspect(withTag(image, PREVIOUS_TAG))), shown(restore(image))];
      },
      async run(ctx) {
        const { image } = ctx.result<{ image: string }>("compose-file");
        const previous = withTag(image, PREVIOUS_TAG);
        const exists = await ctx.$`${inspect(previous)}`.nothrow();
        if (exists.exitCode !== 0)
          throw new Error(
            `no image ${previous}: compose-deploy keeps it before each build; nothing to roll back to`,
          );
        await ctx.$`${restore(image)}`;
      },
    }),
    step({
      id: "replace",
      title: "Replace the instances one at a time",
      description: "Recreates app1 from the restored image, waits until healthy, then app2; no build.",
      danger: "change",
      timeoutMs: minutes(6),
      plan: (ctx) => APP_SERVICES.map((service) => shown(replace(ctx.params, service))),
      async run(ctx) {
        for (const service of APP_SERVICES) await ctx.$`${replace(ctx.params, service)}`;
      },
    }),
    step({
      id: "verify",
      title: "Ready through nginx",
      description: "docker compose ps, then GET /readyz through nginx.",
      danger: "read",
      timeoutMs: seconds(30),
      plan: (ctx) => [
        shown(compose(ctx.params.composeFile, "ps")),
        `GET ${new URL("/readyz", ctx.params.url).href}, expecting 200`,
      ],
      async run(ctx) {
        await ctx.$`${compose(ctx.params.composeFile, "ps")}`;
        return readiness(ctx);
      },
    }),
  ],
});
