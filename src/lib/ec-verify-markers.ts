import { definePlugin } from "@astrojs/starlight/expressive-code";
import { parseVerifyMarker, renderedMeta } from "./verify-marker.ts";

// Expressive Code plugin (astro.config.mjs, `expressiveCode.plugins`): a shell block marked
// norun="why" gets the title "Not run by docs:verify: why", so the page says it visibly; both
// marks are removed from the meta the other plugins read.

export function pluginVerifyMarkers() {
  return definePlugin({
    name: "docs:verify marks",
    hooks: {
      preprocessMetadata: ({ codeBlock }) => {
        const marker = parseVerifyMarker(codeBlock.meta);
        if (marker.kind === "none") return;
        codeBlock.meta = renderedMeta(codeBlock.meta);
        if (marker.kind === "norun") {
          codeBlock.props.title = /title="([^"]*)"/.exec(codeBlock.meta)?.[1] ?? codeBlock.props.title;
        }
      },
    },
  });
}
