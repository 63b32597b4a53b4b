import type { Queryable } from "../pool.ts";

export interface MaintenanceFlag {
  enabled: boolean;
  message: string;
}

export async function readMaintenanceFlag(db: Queryable): Promise<MaintenanceFlag> {
  const result = await db.query<{ value: { enabled?: unknown; message?: unknown } }>({
    name: "read-maintenance-flag",
    text: "SELECT value FROM app_flags WHERE name = 'maintenance'",
  });
  const value = result.rows[0]?.value;
  return {
    enabled: value?.enabled === true,
    message: typeof value?.message === "string" ? value.message : "",
  };
}
