import { readdir, readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GROWTH_TARGET_LIST, MAINTENANCE_CALENDAR, MAINTENANCE_TASK_LIST } from "../../policy/index.ts";
import { type AuditRecord, appendAudit } from "../../runbooks/engine/audit.ts";
import { findRunbook } from "../../runbooks/engine/catalog.ts";
import { type ScratchStack, startScratchStack, stepStatuses } from "../support/runbooks.ts";

let stack: ScratchStack;
beforeAll(async () => {
  stack = await startScratchStack();
});
afterAll(async () => {
  await stack?.stop();
});

/** Updates every row of a table in place (one dead tuple each) and waits until statistics show them. */
async function makeDeadTuples(table: string, set: string): Promise<void> {
  const client = await stack.db.connect();
  try {
    // Autovacuum must not clean up behind the test's back (a private database: no one else cares).
    await client.query(`ALTER TABLE ${table} SET (autovacuum_enabled = false)`);
    await client.query(`UPDATE ${table} SET ${set}`);
    await client.query("SELECT pg_stat_force_next_flush()");
  } finally {
    client.release();
  }
  for (let i = 0; i < 50; i++) {
    const { rows } = await stack.db.query<{ dead: number }>(
      "SELECT n_dead_tup::int AS dead FROM pg_stat_user_tables WHERE relname = $1",
      [table],
    );
    if ((rows[0]?.dead ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no dead tuples visible in ${table}`);
}

async function tableStats(table: string) {
  const { rows } = await stack.db.query<{
    dead: number;
    last_vacuum: Date | null;
    last_analyze: Date | null;
  }>(
    "SELECT n_dead_tup::int AS dead, last_vacuum, last_analyze FROM pg_stat_user_tables WHERE relname = $1",
    [table],
  );
  return rows[0];
}

describe("vacuum-analyze", () => {
  it("refuses an unknown table with the list of tables, before anything runs", async () => {
    const { result, events } = await stack.run("vacuum-analyze", { params: { table: "learner" } });
    expect(result).toMatchObject({ status: "failed", failedStep: "dead-tuples-before" });
    const error = events.find((e) => e.type === "step-end" && "error" in e) as { error: string };
    expect(error.error).toMatch(/unknown table "learner"; the app's tables in schema public are: .*learners/);
    expect(stepStatuses(events)).toEqual({ "dead-tuples-before": "failed" });
    await expect(
      stack.run("vacuum-analyze", { params: { table: "x; DROP TABLE learners" } }),
    ).rejects.toThrow(/invalid parameters: table/);
  });

  it("vacuums and analyzes one table, and reports its dead tuples before and after", async () => {
    await makeDeadTuples("exercises", "active = active");
    const before = await tableStats("exercises");
    expect(before?.dead).toBeGreaterThan(0);
    const started = new Date();
    const { result, output } = await stack.run("vacuum-analyze", { params: { table: "exercises" } });
    expect(result.status).toBe("ok");
    const after = await tableStats("exercises");
    expect(after?.dead).toBe(0);
    expect(after?.last_vacuum?.getTime()).toBeGreaterThanOrEqual(started.getTime() - 1000);
    expect(after?.last_analyze?.getTime()).toBeGreaterThanOrEqual(started.getTime() - 1000);
    // Only the chosen table was vacuumed.
    expect((await tableStats("learners"))?.last_vacuum).toBeNull();
    // A plan reads and describes; it vacuums nothing.
    const plan = await stack.run("vacuum-analyze", { params: { table: "learners" }, plan: true });
    expect(plan.result.status).toBe("ok");
    expect(plan.output).toContain('[plan] VACUUM (ANALYZE) "public"."learners"');
    expect((await tableStats("learners"))?.last_vacuum).toBeNull();
    expect(output.some((l) => new RegExp(`^exercises +\\d+ +${before?.dead} `).test(l))).toBe(true);
    expect(output.some((l) => /^exercises: vacuumed and analyzed in \d+\.\d\d s$/.test(l))).toBe(true);
    expect(output.some((l) => new RegExp(`^exercises +dead +${before?.dead} → +0 `).test(l))).toBe(true);
  });

  it("vacuums every app table when no table is given", async () => {
    const started = new Date();
    const { result } = await stack.run("vacuum-analyze");
    expect(result.status).toBe("ok");
    const { rows } = await stack.db.query<{ relname: string; last_vacuum: Date | null }>(
      "SELECT relname, last_vacuum FROM pg_stat_user_tables WHERE schemaname = 'public'",
    );
    expect(rows.length).toBeGreaterThanOrEqual(5);
    for (const row of rows)
      expect(row.last_vacuum?.getTime()).toBeGreaterThanOrEqual(started.getTime() - 1000);
  });
});

/** 20,000 reviews, then 19 of every 20 deleted and vacuumed: the B-trees keep their size, the rows are gone. */
async function bloatReviews(): Promise<void> {
  const client = await stack.db.connect();
  try {
    await client.query(
      `INSERT INTO reviews (learner_id, exercise_id, answer, outcome, correct, rating, reviewed_at)
       SELECT (SELECT min(id) FROM learners), (SELECT min(id) FROM exercises), 'sea', 'correct', true, 3,
              now() - make_interval(secs => g)
       FROM generate_series(1, 20000) g`,
    );
    await client.query("DELETE FROM reviews WHERE id % 20 <> 0");
    // The delete's statistics reach the server before VACUUM resets them, not after.
    await client.query("SELECT pg_stat_force_next_flush()");
    await client.query("VACUUM (ANALYZE) reviews");
  } finally {
    client.release();
  }
}

async function indexState(table: string) {
  const { rows } = await stack.db.query<{
    name: string;
    oid: number;
    filenode: number;
    bytes: number;
    valid: boolean;
  }>(
    `SELECT i.relname AS name, i.oid::int AS oid, pg_relation_filenode(i.oid)::int AS filenode,
            pg_relation_size(i.oid)::int AS bytes, x.indisvalid AS valid
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
     WHERE t.relname = $1 ORDER BY i.relname`,
    [table],
  );
  return rows;
}

describe("bloat-report", () => {
  it("recommends vacuum, reindex or fine per table and writes the markdown report", async () => {
    await bloatReviews();
    await makeDeadTuples("exercises", "active = active");
    const { result, output } = await stack.run("bloat-report", { params: { minBloatMb: "0.1" } });

    expect(result.status).toBe("ok");
    const report = result.results["write-report"] as {
      file: string;
      recommendations: Array<{ table: string; recommendation: string }>;
    };
    const byTable = Object.fromEntries(report.recommendations.map((r) => [r.table, r.recommendation]));
    expect(byTable).toMatchObject({
      exercises: "vacuum",
      reviews: "reindex",
      learners: "fine",
      sessions: "fine",
    });
    expect(
      output.some((l) =>
        /^exercises +vacuum: \d+ dead tuples \(50\.0%\), above the \d+ at which autovacuum starts \(autovacuum is [^)]*disabled for this table\)$/.test(
          l,
        ),
      ),
    ).toBe(true);
    expect(output).toContain(`${"".padEnd(22)} → npm run runbook -- reindex --env dev --param table=reviews`);

    // The report is in the runbook's artifacts folder and says what the run said.
    expect(path.dirname(report.file)).toBe(path.join(stack.dataDir, "artifacts", "bloat-report"));
    expect(await readdir(path.dirname(report.file))).toContain(path.basename(report.file));
    const text = await readFile(report.file, "utf8");
    expect(text).toMatch(/^# Bloat report: dev/);
    expect(text).toMatch(/\| reviews \| reindex \| bloated index\(es\): .*reviews_learner_idx/);
    expect(text).toMatch(/\| exercises \| vacuum \| \d+ dead tuples/);
    expect(text).toMatch(/\| learners \| fine \| - \| - \|/);

    // Unused indexes are exactly the non-unique indexes PostgreSQL counts no scans for.
    const { rows } = await stack.db.query<{ name: string }>(
      `SELECT s.indexrelname AS name FROM pg_stat_user_indexes s JOIN pg_index x ON x.indexrelid = s.indexrelid
       WHERE s.schemaname = 'public' AND s.idx_scan = 0 AND NOT x.indisunique AND NOT x.indisprimary ORDER BY 1`,
    );
    const unusedLine = output.find((l) => l.startsWith("unused indexes")) ?? "";
    for (const { name } of rows) expect(unusedLine).toContain(name);
    const unusedSection = text.split("## Unused indexes")[1]?.split("## Notes")[0] ?? "";
    expect(unusedSection.match(/^- \S+ on/gm)?.length ?? 0).toBe(rows.length);
  });

  it("refuses a bloat share outside 0..1", async () => {
    await expect(stack.run("bloat-report", { params: { maxBloat: "3" } })).rejects.toThrow(
      /invalid parameters: maxBloat/,
    );
  });
});

describe("reindex", () => {
  it("rebuilds every index of a table concurrently: new relations, still valid, smaller when bloated", async () => {
    const before = await indexState("reviews");
    expect(before.length).toBeGreaterThanOrEqual(2);
    const { result, output } = await stack.run("reindex", { params: { table: "reviews" } });
    expect(result.status).toBe("ok");
    const after = await indexState("reviews");
    expect(after.map((i) => i.name)).toEqual(before.map((i) => i.name));
    for (const [n, index] of after.entries()) {
      const old = before[n];
      expect(index.oid).not.toBe(old?.oid);
      expect(index.filenode).not.toBe(old?.filenode);
      expect(index.valid).toBe(true);
      expect(index.bytes).toBeLessThan((old?.bytes ?? 0) / 2);
      expect(output).toContainEqual(
        expect.stringMatching(new RegExp(`^${index.name}: [\\d.]+ kB → [\\d.]+ kB \\(-\\d+%\\) in`)),
      );
    }
    // Other tables were not touched.
    expect((await indexState("learners")).length).toBeGreaterThan(0);
    expect(output).toContainEqual(expect.stringMatching(/^all \d+ indexes in schema public are valid$/));
  });

  it("finds an invalid leftover index, skips it, and fails saying how to drop it", async () => {
    // A unique index over duplicates fails while built concurrently and stays behind, invalid:
    // exactly what an interrupted REINDEX CONCURRENTLY leaves.
    await stack.db
      .query("CREATE UNIQUE INDEX CONCURRENTLY reviews_learner_idx_ccnew ON reviews (learner_id)")
      .catch(() => undefined);
    try {
      expect((await indexState("reviews")).find((i) => i.name === "reviews_learner_idx_ccnew")?.valid).toBe(
        false,
      );
      const { result, events, output } = await stack.run("reindex", { params: { table: "reviews" } });
      expect(result).toMatchObject({ status: "failed", failedStep: "check-valid" });
      expect(output.some((l) => l.includes("reviews_learner_idx_ccnew is an invalid leftover"))).toBe(true);
      expect(output.some((l) => l.startsWith("reviews_learner_idx_ccnew:"))).toBe(false);
      const end = events.find((e) => e.type === "step-end" && "error" in e) as { error: string };
      expect(end.error).toContain(
        'reviews_learner_idx_ccnew on reviews (a leftover copy: DROP INDEX CONCURRENTLY "public"."reviews_learner_idx_ccnew")',
      );
    } finally {
      await stack.db.query("DROP INDEX IF EXISTS reviews_learner_idx_ccnew");
    }
  });

  it("refuses an unknown table before rebuilding anything", async () => {
    const { result, events } = await stack.run("reindex", { params: { table: "nope" } });
    expect(result).toMatchObject({ status: "failed", failedStep: "indexes-before" });
    expect(stepStatuses(events)).toEqual({ "indexes-before": "failed" });
  });
});

describe("dependency-report", () => {
  it("works offline: says the registry could not be reached and lists installed versions only", async () => {
    const lock = JSON.parse(
      await readFile(path.join(import.meta.dirname, "../../package-lock.json"), "utf8"),
    ) as {
      packages: Record<string, { version: string }>;
    };
    const { result, output } = await stack.run("dependency-report", {
      // Port 9 (discard) refuses connections: the registry is unreachable, as on a plane.
      params: { registry: "http://127.0.0.1:9", timeoutSeconds: "5" },
    });
    expect(result.status).toBe("ok");
    expect(output).toContain(
      "offline: could not reach the registry; versions below are installed versions only",
    );
    expect(output).toContain(
      "offline: could not reach the registry; no advisory data, so this is NOT a clean bill of health",
    );
    expect(output.join("\n")).not.toMatch(/no advisories|0 critical|found 0 vulnerabilities/i);
    expect(result.results.outdated).toMatchObject({ online: false, outdated: [] });
    expect(result.results.audit).toMatchObject({ online: false, advisories: [], counts: null });
    // Direct dependencies with the versions the lock file pins, after the offline line too.
    const deps = (
      result.results["direct-dependencies"] as { dependencies: Array<{ name: string; locked: string }> }
    ).dependencies;
    for (const name of ["zod", "pg", "zx", "vitest"]) {
      expect(deps.find((d) => d.name === name)?.locked).toBe(lock.packages[`node_modules/${name}`]?.version);
    }
    const offlineAt = output.indexOf(
      "offline: could not reach the registry; versions below are installed versions only",
    );
    expect(
      output
        .slice(offlineAt)
        .some((l) => new RegExp(`^zod +prod +\\S+ +${lock.packages["node_modules/zod"]?.version} `).test(l)),
    ).toBe(true);
    // npm's raw answers are kept as artifacts.
    const files = await readdir(path.join(stack.dataDir, "artifacts", "dependency-report"));
    expect(files.some((f) => /^outdated-.*\.json$/.test(f))).toBe(true);
    expect(files.some((f) => /^audit-.*\.json$/.test(f))).toBe(true);
  }, 60_000);

  it("classifies advisories by the security update process, and fails on critical ones by default", async () => {
    // A stand-in registry: npm audit runs for real and asks it for advisories (the public registry
    // cannot be made to report a known advisory on demand). Everything else it answers 404.
    // Advisory ids are fresh per run: npm caches what it computes per advisory id in ~/.npm.
    const firstId = Date.now();
    const registry = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        if (req.method === "POST" && req.url?.startsWith("/-/npm/v1/security/advisories/bulk")) {
          const advisory = (id: number, name: string, severity: string) => ({
            id,
            url: `https://example.test/advisory-${name}`,
            title: `Test advisory in ${name}`,
            severity,
            vulnerable_versions: "<99.0.0",
            cwe: [],
            cvss: { score: 5, vectorString: null },
          });
          res.setHeader("content-type", "application/json");
          res.end(
            JSON.stringify({
              zod: [advisory(firstId, "zod", "critical")],
              pino: [advisory(firstId + 1, "pino", "moderate")],
            }),
          );
          return;
        }
        res.statusCode = 404;
        res.end("{}");
      });
    });
    await new Promise<void>((resolve) => registry.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(registry.address() as AddressInfo).port}`;
    try {
      const reported = await stack.run("dependency-report", {
        step: "audit",
        params: { registry: url, failOn: "none" },
      });
      expect(reported.result.status).toBe("ok");
      const audit = reported.result.results.audit as {
        online: boolean;
        counts: Record<string, number>;
        advisories: Array<{ package: string; severity: string; action: string }>;
      };
      expect(audit.online).toBe(true);
      expect(audit.advisories.find((a) => a.package === "zod")).toMatchObject({
        severity: "critical",
        action:
          "patch within 0–24 hours: verify the vulnerability, patch staging, test, deploy to production, monitor",
      });
      const routine = MAINTENANCE_CALENDAR["error-review"];
      expect(audit.advisories.find((a) => a.package === "pino")).toMatchObject({
        severity: "moderate",
        action: `with the routine dependency update (${routine?.cadence}, ${routine?.when}: ${routine?.runbook})`,
      });
      expect(reported.output).toContainEqual(
        expect.stringMatching(
          /^CRITICAL +zod( \S+)?: Test advisory in zod https:\/\/example\.test\/advisory-zod$/,
        ),
      );

      const failing = await stack.run("dependency-report", { step: "audit", params: { registry: url } });
      expect(failing.result).toMatchObject({ status: "failed", failedStep: "audit" });
      const end = failing.events.find((e) => e.type === "step-end") as { error: string };
      expect(end.error).toMatch(/advisory\(ies\) at critical or worse \(.*zod: critical/);
      expect(end.error).not.toContain("pino");
    } finally {
      registry.close();
    }
  }, 60_000);

  it("refuses a registry that is not an http(s) URL", async () => {
    await expect(stack.run("dependency-report", { params: { registry: "file:///etc" } })).rejects.toThrow(
      /invalid parameters: registry/,
    );
  });
});

describe("cost-report", () => {
  it("measures the database, the app's Redis keys and growth, and projects against the growth targets", async () => {
    const prefix = stack.app.env.REDIS_KEY_PREFIX ?? "";
    const redis = new Redis(stack.app.env.REDIS_URL ?? "");
    try {
      await redis.set(`${prefix}cost-test:a`, "1");
      await redis.set(`${prefix}cost-test:b`, "2");
      await redis.set(`${prefix.replace(/:$/, "")}-sibling:cost-test`, "not the app's");
      const { result, output } = await stack.run("cost-report");
      expect(result.status).toBe("ok");

      const size = result.results["database-size"] as {
        databaseBytes: number;
        tables: Array<{ table: string }>;
      };
      const { rows } = await stack.db.query<{ bytes: number }>(
        "SELECT pg_database_size(current_database())::float8 AS bytes",
      );
      expect(Math.abs(size.databaseBytes - (rows[0]?.bytes ?? 0))).toBeLessThan(1024 * 1024);
      const biggest = await stack.db.query<{ name: string }>(
        `SELECT relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE nspname = 'public' AND relkind = 'r' ORDER BY pg_total_relation_size(c.oid) DESC, relname LIMIT 5`,
      );
      expect(size.tables.map((t) => t.table)).toEqual(biggest.rows.map((r) => r.name));

      let expectedKeys = 0;
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
        cursor = next;
        expectedKeys += keys.length;
      } while (cursor !== "0");
      const mem = result.results["redis-memory"] as { keys: number; usedBytes: number; prefix: string };
      expect(mem).toMatchObject({ prefix, keys: expectedKeys });
      expect(mem.keys).toBeGreaterThanOrEqual(2);
      expect(mem.usedBytes).toBeGreaterThan(0);
      expect(output).toContain(
        `keys under the app prefix "${prefix}": ${expectedKeys} (of ${await redis.dbsize()} in this Redis database)`,
      );

      const growth = result.results.growth as {
        learners: number;
        newReviews: number;
        bytesPerDay: number;
        projections: Array<{ horizon: string; targetGb: number; within: boolean }>;
      };
      const counts = await stack.db.query<{ learners: number; recent: number }>(
        `SELECT (SELECT count(*)::int FROM learners) AS learners,
                (SELECT count(*)::int FROM reviews WHERE reviewed_at > now() - interval '30 days') AS recent`,
      );
      expect(growth.learners).toBe(counts.rows[0]?.learners);
      expect(growth.newReviews).toBe(counts.rows[0]?.recent);
      expect(growth.bytesPerDay).toBeGreaterThan(0);
      expect(growth.projections.map((p) => [p.horizon, p.targetGb])).toEqual(
        GROWTH_TARGET_LIST.map((t) => [t.horizon, t.databaseGb]),
      );
      expect(growth.projections.every((p) => p.within)).toBe(true);
      expect(output).toContain(
        "monthly costs as the seed outline estimates them for its hosting (USD, reference only, not a bill):",
      );
      expect(output).toContainEqual(expect.stringMatching(/^ {2}total +\$35–150\/month$/));
    } finally {
      await redis.del(
        `${prefix}cost-test:a`,
        `${prefix}cost-test:b`,
        `${prefix.replace(/:$/, "")}-sibling:cost-test`,
      );
      redis.disconnect();
    }
  });
});

describe("maintenance-due", () => {
  const day = "2026-03-11"; // a Wednesday
  let n = 0;
  function record(
    runbook: string,
    endedAt: string,
    steps: string[],
    extra: Partial<AuditRecord> = {},
  ): AuditRecord {
    n += 1;
    return {
      runId: `test-${n}`,
      runbook,
      env: "dev",
      actor: "test",
      commit: "test",
      params: {},
      plan: false,
      resumedFrom: null,
      startedAt: endedAt,
      endedAt,
      status: "ok",
      steps: steps.map((id) => ({ id, status: "ok", durationMs: 1 })),
      ...extra,
    };
  }

  it("decides from the audit log which calendar tasks are due, overdue, upcoming or done", async () => {
    const stepsOf = async (id: string) => (await findRunbook(id)).steps.map((s) => s.id);
    const vacuumSteps = await stepsOf("vacuum-analyze");
    const costSteps = await stepsOf("cost-report");
    const failedCost = record("cost-report", "2026-03-02T09:00:00Z", costSteps.slice(0, 1), {
      status: "failed",
      steps: [
        { id: "database-size", status: "ok", durationMs: 1 },
        { id: "redis-memory", status: "failed", durationMs: 1 },
      ],
    });
    for (const r of [
      record("morning-health-check", "2026-03-11T06:00:00Z", await stepsOf("morning-health-check")), // today: done
      record("backup-now", "2026-03-09T02:00:00Z", await stepsOf("backup-now").catch(() => [])), // 2 days ago: overdue
      record("vacuum-analyze", "2026-03-05T10:00:00Z", vacuumSteps), // weekly, 6 days ago: done
      record("dependency-report", "2026-03-11T08:00:00Z", ["direct-dependencies"], { status: "failed" }), // failed: due
      record("performance-check", "2026-03-11T08:00:00Z", [], { plan: true }), // a plan does not count: due
      record("bloat-report", "2026-03-03T10:00:00Z", ["table-sizes"]), // a --step run does not count
      failedCost,
      record("cost-report", "2026-03-02T09:30:00Z", costSteps.slice(1), { resumedFrom: failedCost.runId }), // resumed to the end: done
      record("rotate-session-secret", "2026-03-04T10:00:00Z", [], { env: "production" }), // another environment
      record("verify-backup", "2026-03-12T10:00:00Z", []), // after the day asked about: ignored
    ]) {
      await appendAudit(stack.dataDir, r);
    }
    const { result, output } = await stack.run("maintenance-due", { params: { date: day } });
    expect(result.status).toBe("ok");
    const { tasks } = result.results["due-tasks"] as {
      tasks: Array<{ id: string; status: string; command: string | null }>;
    };
    const status = Object.fromEntries(tasks.map((t) => [t.id, t.status]));
    expect(status).toEqual({
      "morning-check": "done",
      backup: "overdue",
      "backup-offsite": "overdue", // daily, never run
      "error-review": "overdue", // Monday, never run
      "db-maintenance": "done",
      "session-purge": "due", // Wednesday is today, never run
      "security-scan": "due", // Wednesday is today
      "perf-review": "due",
      "backup-verify": "upcoming", // Friday
      optimize: "overdue", // first week of March is over
      cost: "done",
      secrets: "overdue",
      "dr-drill": "upcoming", // third week
      "load-test": "upcoming", // third week
      certs: "upcoming",
      pentest: "manual",
    });
    expect(Object.keys(status)).toHaveLength(MAINTENANCE_TASK_LIST.length);
    expect(tasks.find((t) => t.id === "security-scan")?.command).toBe(
      "npm run runbook -- dependency-report --env dev",
    );
    expect(output).toContainEqual(
      expect.stringMatching(
        /^OVERDUE +monthly +first week +Database optimisation.* no complete run \(1 partial --step\/--from run\(s\) do not count\)/,
      ),
    );
    expect(output).toContain("maintenance calendar for dev on 2026-03-11 (Wednesday, UTC):");
    // A due or overdue task's row ends with the command that does it (the table's last column).
    expect(output).toContainEqual(
      expect.stringMatching(/^OVERDUE .* npm run runbook -- weekly-review --env dev$/),
    );
    expect(output).toContainEqual(expect.stringMatching(/^Maintenance calendar on 2026-03-11$/));
    expect(output).toContainEqual(expect.stringMatching(/^5 overdue, 3 due, 4 upcoming, 3 done, 1 manual$/));
  });

  it("refuses a date that is not a calendar day", async () => {
    await expect(stack.run("maintenance-due", { params: { date: "2026-02-30" } })).rejects.toThrow(
      /invalid parameters: date: not a calendar date/,
    );
  });
});
