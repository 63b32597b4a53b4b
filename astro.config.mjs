// @ts-check
import sitemap from "@astrojs/sitemap";
import starlight from "@astrojs/starlight";
import { defineConfig } from "astro/config";
import starlightLinksValidator from "starlight-links-validator";

// The handbook: a Starlight site. Guides live in src/content/docs; runbooks and numbers are
// embedded from their sources (runbooks/, policy/) by the components in src/components.
export default defineConfig({
  site: "https://handbook.subjunctive.example",
  output: "static",
  integrations: [
    // Starlight's own sitemap, minus the step-source pages the Runbook component loads on demand:
    // they are parts of pages, not pages a reader searches for.
    sitemap({ filter: (page) => !new URL(page).pathname.startsWith("/runbook-source/") }),
    starlight({
      title: "Subjunctive Ops Handbook",
      description:
        "How the Spanish Subjunctive Practice app is built, deployed and operated — with every procedure runnable.",
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
