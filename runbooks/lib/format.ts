// How runbooks print sizes, ratios and ages, so the same figure reads the same in every runbook.

export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

export function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

export function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return "never";
  const hours = (now - Date.parse(iso)) / 3_600_000;
  if (hours < 1 / 60) return "under a minute ago";
  if (hours < 1) return `${Math.round(hours * 60)} min ago`;
  if (hours < 48) return `${hours.toFixed(1)} h ago`;
  return `${(hours / 24).toFixed(1)} days ago`;
}

/** Bytes as MiB, without the unit (callers write "MiB" where it reads best). */
export function mib(bytes: number, digits = 1): string {
  return (bytes / 1024 / 1024).toFixed(digits);
}
