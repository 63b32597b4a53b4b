import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ENVIRONMENTS } from "../../runbooks/engine/environments.ts";
import { NOTIFY_FORMATS, notifyVariables } from "../../runbooks/engine/notify.ts";
import { REPO_ROOT } from "../../runbooks/engine/paths.ts";
import { SECRET_REF_KINDS } from "../../runbooks/engine/secret-refs.ts";

// The environments page and the runbooks README describe secret references and run notifications;
// what they name (the reference kinds, the variables, the formats) must be what the engine reads.

const PAGE = readFileSync(
  path.join(REPO_ROOT, "src/content/docs/deployment-playbook/environments.mdx"),
  "utf8",
);
const README = readFileSync(path.join(REPO_ROOT, "runbooks/README.md"), "utf8");

describe("secret references and notifications, as the pages describe them", () => {
  it.each(SECRET_REF_KINDS)("the page shows the %s: reference", (kind) => {
    expect(PAGE).toMatch(new RegExp(`\\| \`${kind}:`));
    expect(README).toContain(`\`${kind}:`);
  });

  it.each(ENVIRONMENTS.filter((name) => name !== "dev"))(
    "the page names %s's notification variables",
    (name) => {
      const vars = notifyVariables(name);
      expect(PAGE).toContain(`\`${vars.webhook}\``);
      expect(PAGE).toContain(`\`${vars.format}\``);
    },
  );

  it("the page names every format and renders the policy's table, not a typed one", () => {
    for (const format of NOTIFY_FORMATS) expect(PAGE).toContain(`\`${format}\``);
    expect(PAGE).toContain('<PolicyTable table="notifications" />');
  });
});
