// @ts-check

import { spawnSync } from "node:child_process";
import sitemap from "@astrojs/sitemap";
import starlight from "@astrojs/starlight";
import { defineConfig } from "astro/config";
import starlightLinksValidator from "starlight-links-validator";

/**
 * Fails the build (and `astro dev`) when a page types a fact the code owns: README, "Facts the code
 * owns". The check runs in its own Node process because it loads the runbook catalog, which
 * imports runbook files, and Vite's config loader is closed by the time hooks run.
 */
const handTypedFacts = {
  name: "hand-typed-facts",
  hooks: {
    "astro:config:setup": () => {
      const check = spawnSync(process.execPath, ["src/lib/hand-typed-facts-check.ts"], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
      if (check.status !== 0)
        throw new Error(
          check.stdout + check.stderr || `the hand-typed facts check exited with ${check.status}`,
        );
    },
  },
};

// The handbook: a Starlight site. Guides live in src/content/docs; runbooks and numbers are
// embedded from their sources (runbooks/, policy/) by the components in src/components.
export default defineConfig({
  site: "https://handbook.subjunctive.example",
  output: "static",
  integrations: [
    // A page whose code types a fact the code owns (a variable's default, a metric, error code or
    // runbook step that does not exist) fails the build, naming the page, the line and the fix.
    handTypedFacts,
    // Starlight's own sitemap, minus the step-source pages the Runbook component loads on demand:
    // they are parts of pages, not pages a reader searches for.
    sitemap({ filter: (page) => !new URL(page).pathname.startsWith("/runbook-source/") }),
    starlight({
      title: "Subjunctive Ops Handbook",
      description:
        "How the Spanish Subjunctive Practice app is built, deployed and operated — with every procedure runnable.",
      components: { Footer: "./src/components/overrides/Footer.astro" },
      plugins: [starlightLinksValidator({ errorOnRelativeLinks: true, errorOnInvalidHashes: true })],
      sidebar: [
        { label: "Overview", link: "/" },
        { label: "Deployment Playbook", items: [{ autogenerate: { directory: "deployment-playbook" } }] },
        {
          label: "Infrastructure Architecture",
          items: [{ autogenerate: { directory: "infrastructure-architecture" } }],
        },
        { label: "Operational Runbook", items: [{ autogenerate: { directory: "operational-runbook" } }] },
        { label: "CI/CD Workflow", items: [{ autogenerate: { directory: "cicd-workflow" } }] },
        { label: "Maintenance Guide", items: [{ autogenerate: { directory: "maintenance-guide" } }] },
        { label: "Incident Response", items: [{ autogenerate: { directory: "incident-response" } }] },
        { label: "Scaling Guide", items: [{ autogenerate: { directory: "scaling-guide" } }] },
      ],
    }),
  ],
});
