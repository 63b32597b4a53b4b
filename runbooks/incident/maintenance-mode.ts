/**
 * Maintenance mode
 *
 * Purpose: switch the practice app into maintenance (every tRPC call but system.ping answers 503
 *   with your message; learners' progress is kept) or back out of it, and wait until the app
 *   really does it; or just say whether it is on (action=status).
 * Sent here by: a security incident ("Isolate affected systems", Incident Response, "Security
 *   incidents"), a data problem that must stop writes, or planned work that needs the app quiet
 *   (a restore, a risky migration); "off" when that work is done.
 * Preconditions: the environment's DATABASE_URL (the switch is the row app_flags 'maintenance',
 *   read by every instance at most every 2 s) and its app URL (to see the switch take effect).
 * Blast radius: on: every learner is refused (503) until it is switched off; /readyz stays 200, so
 *   the load balancer keeps the instances. off: none. status: none.
 */
import os from "node:os";
import { z } from "zod";
import { defineRunbook, seconds } from "../engine/define.ts";
import { captureReadyz, describeReadyz, sleep, trpc } from "../lib/incidents.ts";

type FlagRow = {
  value: { enabled?: boolean; message?: string };
  updated_at: Date;
  updated_by: string | null;
};

/** A call that passes the maintenance gate and needs no account: 401 means "served", 503 "maintenance". */
const PROBE = "accounts.me";

export default defineRunbook({
  id: "maintenance-mode",
  title: "Maintenance mode",
  summary:
    "Switches maintenance mode on (every call answers 503 with your message) or off, and waits until the app does it; status shows who switched it and when.",
  guide: "incident-response",
  section: "Common incident scenarios",
  params: z
    .object({
      action: z
        .enum(["on", "off", "status"])
        .default("status")
        .describe("on, off, or status (change nothing)"),
      message: z
        .string()
        .trim()
        .max(200)
        .default("")
        .describe('What learners read, e.g. "database upgrade until 06:00 UTC"; required with action=on'),
      waitSeconds: z
        .number()
        .int()
        .min(3)
        .max(120)
        .default(15)
        .describe("How long to wait for the app to follow the switch (instances re-read it every 2 s)"),
    })
    .refine((p) => p.action !== "on" || p.message !== "", {
      message: 'action=on needs a message for learners, e.g. message="database upgrade until 06:00 UTC"',
      path: ["message"],
    }),
  steps: (step) => [
    step({
      id: "current-state",
      title: "Current state",
      description: "Reads the app_flags row (who set it, when) and what /readyz reports.",
      danger: "read",
      timeoutMs: seconds(15),
      async run(ctx) {
        const [row] = await ctx.sql<FlagRow>(
          "SELECT value, updated_at, updated_by FROM app_flags WHERE name = 'maintenance'",
        );
        const enabled = row?.value.enabled === true;
        ctx.log(
          row
            ? `app_flags 'maintenance': ${enabled ? "ON" : "off"}${row.value.message ? ` "${row.value.message}"` : ""}, set ${row.updated_at.toISOString()} by ${row.updated_by ?? "(unknown)"}`
            : "app_flags 'maintenance': no row (off)",
        );
        const ready = await captureReadyz(ctx);
        ctx.log(describeReadyz(ready));
        if (ready.body && ready.body.maintenance.enabled !== enabled)
          ctx.log("(the app follows a change within 2 s; a difference right after a switch is expected)");
        return {
          enabled,
          message: row?.value.message ?? "",
          updatedAt: row?.updated_at.toISOString() ?? null,
          updatedBy: row?.updated_by ?? null,
          appShows: ready.body?.maintenance ?? null,
        };
      },
    }),
    step({
      id: "switch",
      title: "Switch maintenance on or off",
      description:
        "on: upserts app_flags 'maintenance' {enabled, message}; off: deletes the row; status: nothing.",
      danger: "change",
      timeoutMs: seconds(15),
      plan(ctx) {
        const { action, message } = ctx.params;
        if (action === "on")
          return [
            `would set maintenance ON with "${message}": every call but system.ping answers 503 within 2 s, on every instance`,
          ];
        if (action === "off")
          return ["would delete app_flags 'maintenance': calls are served again within 2 s"];
        return ["status only: nothing to change"];
      },
      async run(ctx) {
        const { action, message } = ctx.params;
        if (action === "status") {
          ctx.log("status only: nothing changed");
          return { changed: false };
        }
        if (action === "on") {
          const by = `${os.userInfo().username}@${os.hostname()} (maintenance-mode run ${ctx.runId})`;
          await ctx.sql(
            `INSERT INTO app_flags (name, value, updated_at, updated_by) VALUES ('maintenance', $1, now(), $2)
             ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = now(), updated_by = EXCLUDED.updated_by`,
            [JSON.stringify({ enabled: true, message }), by],
          );
          ctx.log(`maintenance ON in the database, set by ${by}`);
          return { changed: true, by };
        }
        const deleted = await ctx.sql("DELETE FROM app_flags WHERE name = 'maintenance' RETURNING name");
        // Already off is fine: the goal is "off", and the next step checks the app agrees.
        ctx.log(
          deleted.length > 0 ? "maintenance row deleted" : "there was no maintenance row: it was already off",
        );
        return { changed: deleted.length > 0 };
      },
    }),
    step({
      id: "wait-applied",
      title: "Wait until the app follows",
      description: `Polls /readyz until it shows the switch, then one tRPC call (${PROBE}) must answer 503 (on) or be served (off).`,
      danger: "read",
      timeoutMs: seconds(130),
      async run(ctx) {
        const { action, message, waitSeconds } = ctx.params;
        if (action === "status") return { action };
        const want = action === "on";
        const started = Date.now();
        const deadline = started + waitSeconds * 1000;
        let last = "";
        for (;;) {
          const ready = await captureReadyz(ctx, 3_000);
          const shown = ready.body?.maintenance;
          last = describeReadyz(ready);
          if (shown && shown.enabled === want && (!want || shown.message === message)) break;
          if (Date.now() > deadline)
            throw new Error(
              `the database says maintenance ${action} but after ${waitSeconds} s the app still shows otherwise (${last}): is the app up, and does it use this environment's database?`,
            );
          await sleep(250, ctx.signal);
        }
        const seenAfter = (Date.now() - started) / 1000;
        ctx.log(`/readyz shows maintenance ${want ? "ON" : "off"} after ${seenAfter.toFixed(1)} s`);
        const probe = await trpc(ctx, "GET", PROBE);
        if (want) {
          if (probe.status !== 503 || !probe.message?.includes(message))
            throw new Error(
              `maintenance is on but ${PROBE} answered ${probe.status} ${probe.code}: ${probe.message}; expected 503 with "${message}"`,
            );
          ctx.log(`${PROBE} → 503: "${probe.message}"`);
        } else {
          // 401 (no token) means the call passed the maintenance gate and reached the procedure.
          if (probe.status === 503)
            throw new Error(`maintenance is off but ${PROBE} still answered 503: ${probe.message}`);
          ctx.log(`${PROBE} (no token) → ${probe.status} ${probe.code ?? ""}: calls are served again`);
        }
        ctx.log("(checked on the instance that answered; every instance re-reads the switch within 2 s)");
        return { action, seenAfterSeconds: seenAfter, probeStatus: probe.status };
      },
    }),
  ],
});
