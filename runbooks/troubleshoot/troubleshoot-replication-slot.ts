/**
 * Drop an inactive replication slot that holds WAL
 *
 * Purpose: list the replication slots with how much WAL each holds back, then, as a separate
 *   confirmed step, drop the one slot the operator names, only if it is inactive (no replica or
 *   subscriber reads it). A slot nobody reads keeps every WAL file since its position: pg_wal grows
 *   until the disk is full.
 * Sent here by: the Troubleshooting entry "Disk full" (pg_wal large, the disk report showing an
 *   INACTIVE slot), or a replica that was removed without dropping its slot.
 * Preconditions: the slot's replica or subscriber is really gone (a dropped slot cannot be brought
 *   back: that replica must then be rebuilt from a base backup). A role with REPLICATION or superuser.
 * Blast radius: the named slot only, and only while inactive. The WAL it held is removed at the next
 *   checkpoint. Slots are cluster-wide: other databases' slots are listed, and dropped only by name.
 */
import { z } from "zod";
import { defineRunbook, seconds } from "../engine/define.ts";
import { formatBytes } from "../lib/format.ts";

interface Slot {
  slotName: string;
  slotType: string;
  database: string | null;
  active: boolean;
  retainedBytes: number | null;
}

export default defineRunbook({
  id: "troubleshoot-replication-slot",
  title: "Drop an inactive replication slot",
  summary:
    "Lists replication slots and the WAL each holds; drops the named slot if it is inactive (confirmed).",
  guide: "operational-runbook",
  section: "Troubleshooting",
  params: z.object({
    slot: z
      .string()
      .regex(/^[a-z0-9_]{1,63}$/, "a slot name: lower-case letters, digits and _")
      .optional()
      .describe("drop-slot: the slot to drop (from the list); default: list only"),
  }),
  steps: (step) => [
    step({
      id: "list-slots",
      title: "Replication slots and the WAL they hold",
      description: "pg_replication_slots with the WAL each keeps (current LSN − restart_lsn).",
      danger: "read",
      timeoutMs: seconds(30),
      async run(ctx) {
        const slots = await ctx.sql<Slot & Record<string, unknown>>(
          `SELECT slot_name AS "slotName", slot_type AS "slotType", database, active,
                  pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::float8 AS "retainedBytes"
           FROM pg_replication_slots ORDER BY restart_lsn NULLS LAST`,
        );
        ctx.log(`replication slots: ${slots.length}`);
        for (const s of slots)
          ctx.log(
            `  ${s.slotName} (${s.slotType}${s.database ? `, database ${s.database}` : ""}): ${s.active ? "active" : "inactive"}, holds ${s.retainedBytes === null ? "no" : formatBytes(s.retainedBytes)} WAL`,
          );
        const named = ctx.params.slot;
        if (named) {
          const slot = slots.find((s) => s.slotName === named);
          if (!slot) throw new Error(`there is no replication slot "${named}": pick one from the list above`);
          if (slot.active)
            throw new Error(
              `slot "${named}" is active: a replica or subscriber reads it; stop that first (or pick another slot)`,
            );
          ctx.log(`"${named}" is inactive: the next step can drop it`);
        }
        return { slots };
      },
    }),
    step({
      id: "drop-slot",
      title: "Drop the named slot",
      description: "pg_drop_replication_slot on the named slot, if it is still inactive.",
      danger: "destructive",
      timeoutMs: seconds(30),
      plan(ctx) {
        if (!ctx.params.slot) return ["nothing: name the slot with slot=<name>"];
        const { slots } = ctx.result<{ slots: Slot[] }>("list-slots");
        const slot = slots.find((s) => s.slotName === ctx.params.slot);
        return [
          `would drop replication slot ${ctx.params.slot}${slot?.retainedBytes ? `, releasing ${formatBytes(slot.retainedBytes)} of WAL at the next checkpoint` : ""}`,
          "its replica or subscriber (if one ever comes back) must be rebuilt",
        ];
      },
      async run(ctx) {
        const name = ctx.params.slot;
        if (!name) {
          ctx.log("no slot named: nothing dropped");
          return { dropped: null };
        }
        // Checked and dropped in one statement, so a replica that connects in between is not cut off.
        const rows = await ctx.sql<{ dropped: string }>(
          `SELECT slot_name AS dropped FROM pg_replication_slots, LATERAL pg_drop_replication_slot(slot_name)
           WHERE slot_name = $1 AND NOT active`,
          [name],
        );
        if (rows.length === 0)
          throw new Error(
            `slot "${name}" was not dropped: it is gone or became active since the list; run the list again`,
          );
        ctx.log(`dropped replication slot ${name}`);
        return { dropped: name };
      },
    }),
  ],
});
