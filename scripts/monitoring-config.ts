// Writes the example monitoring configuration that the Monitoring and alerting page shows, from the
// same renderer the monitoring-setup runbook uses (runbooks/lib/monitoring-config.ts, EXAMPLE_OPTIONS):
//   deploy/prometheus/prometheus.yml, deploy/prometheus/blackbox.yml, deploy/prometheus/alertmanager.yml
// `node scripts/monitoring-config.ts` writes them; `--check` exits 1 when a committed file differs
// from what the policy gives (tests/runbooks/monitoring.test.ts runs the same comparison).
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import {
  EXAMPLE_OPTIONS,
  type MonitoringFiles,
  renderMonitoring,
} from "../runbooks/lib/monitoring-config.ts";

export const EXAMPLE_DIR = fileURLToPath(new URL("../deploy/prometheus/", import.meta.url));

export function exampleFiles(): Array<{ file: string; text: string }> {
  const files = renderMonitoring(EXAMPLE_OPTIONS);
  return (Object.keys(files) as Array<keyof MonitoringFiles>).map((name) => ({
    file: `${EXAMPLE_DIR}${name}`,
    text: files[name],
  }));
}

export async function main(argv: string[]): Promise<void> {
  const checkOnly = argv.includes("--check");
  for (const { file, text } of exampleFiles()) {
    const current = await readFile(file, "utf8").catch(() => "");
    if (current === text) continue;
    if (checkOnly) {
      console.error(`${file} differs from the policy: run node scripts/monitoring-config.ts`);
      process.exitCode = 1;
    } else {
      await writeFile(file, text);
      console.log(`wrote ${file}`);
    }
  }
}

if (import.meta.main) await main(process.argv.slice(2));
