import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { BURN_RATE_ALERT_LIST, burnThreshold } from "../../policy/slo.ts";
import {
  BURN_RATE_TESTS_FILE,
  BURN_TEST_EVALUATION_MINUTES,
  burnRateTests,
  GENERATED,
  RULE_TESTS_FILE,
  RULES_FILE,
  renderAlertRules,
} from "../../scripts/alert-rules.ts";

// The Prometheus alert rules are generated from the policy (scripts/alert-rules.ts) and committed in
// deploy/prometheus/. The committed files must be what the policy gives, and promtool must accept
// the rules and pass their unit tests: each alert fires just past its threshold and not short of it,
// MAINTENANCE and BUSY refusals do not count toward HighErrorRate, log-in and sign-up do not count
// toward SlowResponses; each SLO burn-rate alert fires just past its burn rate, not short of it, and
// not once its short window has recovered. `.ci/run` installs promtool (Debian's prometheus package).

const PROMTOOL = "/usr/bin/promtool";
const run = promisify(execFile);

describe("deploy/prometheus is generated from the policy", () => {
  for (const { file, render } of GENERATED)
    it(`${path.relative(process.cwd(), file)} is what node scripts/alert-rules.ts writes`, async () => {
      expect(await readFile(file, "utf8"), "run node scripts/alert-rules.ts and commit the result").toBe(
        render(),
      );
    });
});

if (!existsSync(PROMTOOL))
  console.warn(
    `SKIPPED the promtool tests of the alert rules: ${PROMTOOL} is missing (apt-get install prometheus; .ci/run installs it)`,
  );

describe.skipIf(!existsSync(PROMTOOL))("promtool accepts the rules and passes their unit tests", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "alert-rules-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("promtool check rules: every rule is valid", async () => {
    const { stdout } = await run(PROMTOOL, ["check", "rules", RULES_FILE]);
    expect(stdout).toContain(`SUCCESS: ${renderAlertRules().match(/^\s*- alert: /gm)?.length} rules found`);
  });

  it("promtool test rules: each alert at and short of its threshold, deliberate refusals left out", async () => {
    const { stdout } = await run(PROMTOOL, ["test", "rules", RULE_TESTS_FILE], {
      cwd: path.dirname(RULE_TESTS_FILE),
    });
    expect(stdout).toContain("SUCCESS");
  }, 90_000);

  it("promtool test rules: each SLO burn-rate alert at and short of its burn rate, and after recovery", async () => {
    const { stdout } = await run(PROMTOOL, ["test", "rules", BURN_RATE_TESTS_FILE], {
      cwd: path.dirname(BURN_RATE_TESTS_FILE),
    });
    expect(stdout).toContain("SUCCESS");
  }, 90_000);

  it("the burn-rate tests fail when a fast-burn threshold is loosened (so the test above can fail)", async () => {
    const fast = BURN_RATE_ALERT_LIST.find((a) => a.slo === "successful-calls" && a.window === "fast");
    if (!fast) throw new Error("the policy has no fast burn alert on successful-calls");
    const threshold = burnThreshold(fast.slo, fast.window);
    const broken = renderAlertRules().replaceAll(`) > ${threshold}\n`, `) > ${threshold * 1.1}\n`);
    expect(broken).not.toBe(renderAlertRules());
    await writeFile(path.join(dir, "alerts.yml"), broken);
    // Only the cases of that alert: the whole file would evaluate hours of data for nothing.
    await writeFile(
      path.join(dir, "alerts.slo.test.yml"),
      stringify({
        rule_files: ["alerts.yml"],
        evaluation_interval: `${BURN_TEST_EVALUATION_MINUTES}m`,
        tests: burnRateTests().filter((t) => t.alert_rule_test.some((a) => a.alertname === fast.name)),
      }),
    );
    const failure = await run(PROMTOOL, ["test", "rules", "alerts.slo.test.yml"], { cwd: dir }).then(
      () => null,
      (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ""}${error.stderr ?? ""}`,
    );
    expect(failure).toContain(`alertname: ${fast.name}`);
  }, 90_000);

  it("the unit tests fail when a rule counts MAINTENANCE as a server error (so the test above can fail)", async () => {
    const broken = renderAlertRules().replace('code=~"', 'code=~"MAINTENANCE|BUSY|');
    expect(broken).not.toBe(renderAlertRules());
    await writeFile(path.join(dir, "alerts.yml"), broken);
    await copyFile(RULE_TESTS_FILE, path.join(dir, "alerts.test.yml"));
    const failure = await run(PROMTOOL, ["test", "rules", "alerts.test.yml"], { cwd: dir }).then(
      () => null,
      (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ""}${error.stderr ?? ""}`,
    );
    expect(failure).toContain("MAINTENANCE refusals (half of all calls) do not count");
    expect(failure).toContain("BUSY refusals (half of all calls) do not count");
  }, 90_000);
});
