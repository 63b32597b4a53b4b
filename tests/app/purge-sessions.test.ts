import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, signUp } from "../support/api-client.ts";
import { type ScratchStack, startScratchStack, stepStatuses } from "../support/runbooks.ts";

// Issue 14: expired sessions are refused by the app and purged by the purge-sessions runbook, in
// batches, with counts before and after, against a real (private) database.

let stack: ScratchStack;

beforeAll(async () => {
  stack = await startScratchStack();
});

afterAll(async () => {
  await stack?.stop();
});

describe("expired sessions", () => {
  it("are refused, and purge-sessions deletes those past the grace period in batches, keeping the rest", async () => {
    const api = new Api(stack.app.url);
    const active = await signUp(api, "purge-active");
    const expired = await signUp(api, "purge-expired");
    await stack.db.query(
      "UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE learner_id = $1",
      [expired.id],
    );
    expect((await expired.api.query("accounts.me")).status).toBe(401);
    expect((await active.api.query("accounts.me")).status).toBe(200);

    // 2,500 sessions that expired 30 days ago: past the default 7-day grace period.
    await stack.db.query(
      `INSERT INTO sessions (learner_id, token_hash, created_at, expires_at)
       SELECT $1, sha256(('purge-' || g)::bytea), now() - interval '60 days', now() - interval '30 days'
       FROM generate_series(1, 2500) AS g`,
      [expired.id],
    );
    const plan = await stack.run("purge-sessions", { plan: true });
    expect(plan.result.status).toBe("ok");
    expect(plan.output).toContainEqual(expect.stringMatching(/DELETE 2500 session\(s\) that expired before/));
    expect(
      (await stack.db.query("SELECT count(*)::int AS n FROM sessions")).rows[0].n,
    ).toBeGreaterThanOrEqual(2502);

    const { result, events, output } = await stack.run("purge-sessions", { params: { batchSize: 1000 } });
    expect(result.status).toBe("ok");
    expect(stepStatuses(events)).toEqual({ "count-before": "ok", purge: "ok", "count-after": "ok" });
    expect(result.results.purge).toMatchObject({ deleted: 2500, batches: 3 });
    expect(output).toContainEqual("batch 3: deleted 500 (2500 so far)");
    type Counts = { counts: { total: number; active: number; purgeable: number } };
    const before = result.results["count-before"] as Counts;
    const after = result.results["count-after"] as Counts;
    expect(before.counts.purgeable).toBe(2500);
    expect(after.counts.purgeable).toBe(0);
    expect(after.counts.total).toBe(before.counts.total - 2500);
    expect(after.counts.active).toBe(before.counts.active);
    expect(output).toContainEqual(
      expect.stringMatching(/^total \d+ → \d+, active (\d+) → \1, expired \d+ → \d+$/),
    );

    // Within the grace period: kept. Active sessions: untouched.
    const kept = await stack.db.query("SELECT count(*)::int AS n FROM sessions WHERE learner_id = $1", [
      expired.id,
    ]);
    expect(kept.rows[0].n).toBe(1);
    expect((await active.api.query("accounts.me")).status).toBe(200);
  });

  it("uses the expires_at index to find them", async () => {
    const client = await stack.db.connect();
    try {
      await client.query("SET enable_seqscan = off");
      const { rows } = await client.query(
        "EXPLAIN SELECT id FROM sessions WHERE expires_at < now() ORDER BY expires_at LIMIT 1000",
      );
      expect(rows.map((r) => r["QUERY PLAN"]).join("\n")).toMatch(/sessions_expires_at_idx/);
    } finally {
      client.release();
    }
  });
});
