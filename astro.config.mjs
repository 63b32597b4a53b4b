// @ts-check

import { spawnSync } from "node:child_process";
import sitemap from "@astrojs/sitemap";
import starlight from "@astrojs/starlight";
import { defineConfig } from "astro/config";
import starlightLinksValidator from "starlight-links-validator";
import { editBaseUrl } from "./src/lib/page-meta.ts";

/**
 * Fails the build (and `astro dev`) when a page types a fact the code owns: README, "Facts the code
 * owns". The check runs in its own Node process because it loads the runbook catalog, which
 * imports runbook files, and Vite's config loader is closed by the time hooks run.
 */
const handTypedFacts = {
  name: "hand-typed-facts",
  hooks: {
    "astro:config:setup": () => runCheck("src/lib/hand-typed-facts-check.ts", "the hand-typed facts check"),
  },
};

/**
 * Fails the build when a page uses a glossary term without linking its first use to /glossary/
 * (src/lib/glossary-check.ts; `node src/lib/glossary-check.ts --fix` writes the links).
 */
const glossaryLinks = {
  name: "glossary-links",
  hooks: {
    "astro:config:setup": () => runCheck("src/lib/glossary-check.ts", "the glossary check"),
  },
};

/** @param {string} script @param {string} what */
function runCheck(script, what) {
  const check = spawnSync(process.execPath, [script], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (check.status !== 0)
    throw new Error(check.stdout + check.stderr || `${what} exited with ${check.status}`);
}

// The handbook: a Starlight site. Guides live in src/content/docs; runbooks and numbers are
// embedded from their sources (runbooks/, policy/) by the components in src/components.
export default defineConfig({
  site: "https://handbook.subjunctive.example",
  output: "static",
  integrations: [
    // A page whose code types a fact the code owns (a variable's default, a metric, error code or
    // runbook step that does not exist) fails the build, naming the page, the line and the fix.
    handTypedFacts,
    // A page that uses a glossary term without linking its first use fails the build, naming the line.
    glossaryLinks,
    // Starlight's own sitemap, minus the step-source pages the Runbook component loads on demand:
    // they are parts of pages, not pages a reader searches for.
    sitemap({ filter: (page) => !new URL(page).pathname.startsWith("/runbook-source/") }),
    starlight({
      title: "Subjunctive Ops Handbook",
      description:
        "How the Spanish Subjunctive Practice app is built, deployed and operated — with every procedure runnable.",
      components: {
        Footer: "./src/components/overrides/Footer.astro",
        // Owner, reviewer, last review and "due for review" under every page's title.
        PageTitle: "./src/components/overrides/PageTitle.astro",
        // "Edit page" plus "Report a problem", an issue with the page filled in.
        EditLink: "./src/components/overrides/EditLink.astro",
      },
      editLink: { baseUrl: editBaseUrl() },
      plugins: [starlightLinksValidator({ errorOnRelativeLinks: true, errorOnInvalidHashes: true })],
      sidebar: [
        { label: "Overview", link: "/" },
        { label: "Using the console", link: "/using-the-console/" },
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
        { label: "Glossary", link: "/glossary/" },
        { label: "What changed", link: "/what-changed/" },
      ],
    }),
  ],
});
