/**
 * Deploy with Docker Compose
 *
 * Purpose: deploy the checked-out release on the docker compose stack (docker-compose.yml): keep the
 *   running image as :previous for a rollback, build, run the migrations and the exercise bank in
 *   the one-off migrate container, replace app1 then app2 (each waits until healthy, so nginx
 *   always has one), and check /readyz through nginx.
 * Sent here by: Deployment Playbook → Platforms → Docker. Check out the tag first (git checkout
 *   vX.Y.Z): the build uses the working tree.
 * Preconditions: Docker Engine with the Compose plugin on this host (the runbook refuses without
 *   it, saying what to install); the compose stack up once (docker compose up -d --build).
 * Blast radius: the compose project's app containers and its database's schema (migrations are
 *   expand-only). Never the pgdata volume.
 */
import { z } from "zod";
import { defineRunbook, minutes, seconds } from "../engine/define.ts";
import {
  APP_SERVICES,
  checkComposeFile,
  compose,
  composeFileParam,
  composeUrlParam,
  MIGRATE_SERVICE,
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
const keepPrevious = (image: string) => ["docker", "image", "tag", image, withTag(image, PREVIOUS_TAG)];
const build = (p: Params) => compose(p.composeFile, "build", APP_SERVICES[0]);
const migrate = (p: Params) => compose(p.composeFile, "run", "--rm", MIGRATE_SERVICE);
const replace = (p: Params, service: string) =>
  compose(p.composeFile, "up", "-d", "--no-deps", "--wait", service);

export default defineRunbook({
  id: "compose-deploy",
  title: "Deploy with Docker Compose",
  summary:
    "Keeps the running image as :previous, builds, migrates in the migrate container, replaces app1 then app2, checks /readyz.",
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
        ctx.log(
          `${ctx.params.composeFile}: services, image ${image}, migrate, health dependencies and ports as expected`,
        );
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
      id: "keep-previous",
      title: "Keep the running image for a rollback",
      description: "Tags the image the apps run now as :previous (compose-rollback returns to it).",
      danger: "change",
      timeoutMs: seconds(30),
      plan: (ctx) => {
        const { image } = ctx.result<{ image: string }>("compose-file");
        return [shown(inspect(image)), `${shown(keepPrevious(image))}   (when the image exists)`];
      },
      async run(ctx) {
        const { image } = ctx.result<{ image: string }>("compose-file");
        const exists = await ctx.$`${inspect(image)}`.nothrow();
        if (exists.exitCode !== 0) {
          // First deploy on this host: nothing runs yet, so there is nothing to return to.
          ctx.warn(`no image ${image} yet: nothing to keep, compose-rollback will have no previous release`);
          return { previous: null };
        }
        await ctx.$`${keepPrevious(image)}`;
        return { previous: withTag(image, PREVIOUS_TAG) };
      },
    }),
    step({
      id: "build",
      title: "Build the release",
      description: "Builds the app image from the working tree (the tag you checked out).",
      danger: "change",
      timeoutMs: minutes(20),
      plan: (ctx) => [shown(build(ctx.params))],
      async run(ctx) {
        await ctx.$`${build(ctx.params)}`;
      },
    }),
    step({
      id: "migrate",
      title: "Migrations and exercise bank",
      description: "Runs the one-off migrate container: pending migrations, then the seed.",
      danger: "change",
      timeoutMs: minutes(15),
      plan: (ctx) => [shown(migrate(ctx.params))],
      async run(ctx) {
        await ctx.$`${migrate(ctx.params)}`;
      },
    }),
    step({
      id: "replace",
      title: "Replace the instances one at a time",
      description:
        "Recreates app1, waits until it is healthy, then app2: nginx always has a healthy instance.",
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
