// @ts-check
import { defineEcConfig } from "@astrojs/starlight/expressive-code";
import { pluginVerifyMarkers } from "./src/lib/ec-verify-markers.ts";

// Expressive Code options, in their own file so the `<Code>` component (runbook sources) can load
// them too. Shell blocks marked for `npm run docs:verify`: a block marked norun="why" shows why in
// its title (src/lib/ec-verify-markers.ts).
export default defineEcConfig({ plugins: [pluginVerifyMarkers()] });
