import type { Queryable } from "../db/pool.ts";
import { type MaintenanceFlag, readMaintenanceFlag } from "../db/repositories/flags.ts";

/** How long an instance trusts what it last read; every instance follows a change within this. */
export const MAINTENANCE_REFRESH_MS = 2_000;

/**
 * The maintenance switch, read from PostgreSQL at most every two seconds per instance, so it costs
 * nothing per request. A failed read keeps the last known value: a database hiccup must not flip
 * the app into or out of maintenance.
 */
export class MaintenanceSwitch {
  private value: MaintenanceFlag = { enabled: false, message: "" };
  private readAt = 0;
  private refreshing: Promise<void> | null = null;
  private readonly db: Queryable;

  constructor(db: Queryable) {
    this.db = db;
  }

  async current(): Promise<MaintenanceFlag> {
    if (Date.now() - this.readAt > MAINTENANCE_REFRESH_MS) {
      this.refreshing ??= readMaintenanceFlag(this.db)
        .then((value) => {
          this.value = value;
          this.readAt = Date.now();
        })
        .catch(() => {
          // Keep the last value; readiness reports the database problem itself.
          this.readAt = Date.now();
        })
        .finally(() => {
          this.refreshing = null;
        });
      await this.refreshing;
    }
    return this.value;
  }
}
