// The versions of what the engine keeps on disk: the audit log, each run's events and state (the
// run's folder under runs/), and the per-environment locks; and of the state files runbooks and
// `npm start` keep between runs (state-files.ts reads and writes them). Every record carries `v`. A record
// without one was written before versions existed and is read as version 1 (the format of that
// time). A record newer than this code knows is refused, never guessed at: the CLI and the console
// of an older checkout can share a data directory with a newer one.
//
// Changing a format: raise its number here and add the step from the old version to MIGRATIONS,
// so files written by earlier code keep reading.

export const FORMAT_VERSIONS = {
  // 2: every line has a `kind`: "run" (a run, as before) or "refusal" (a refused attempt).
  // 3: a hash chain (ledger.ts): every line carries `seq` and `prev` (sha256 of the line before),
  // and "checkpoint" lines signed with the host's key. Lines of version 1 and 2 read as before; audit
  // verify reports them as legacy, unchained lines, never as verified.
  audit: 3,
  // 2: a "table" event (a step's rows with named columns) besides the version 1 kinds.
  "run-events": 2,
  "run-state": 1,
  // 2: keyed by the database (host, port, name), not the environment's name; the holder's process
  // group and the process groups its steps started are recorded (a stale lock is taken over only
  // when all of them are gone).
  lock: 2,
  // 1: the runbooks and environments disabled for a while (disabled.ts).
  disabled: 1,
  // The state files (state-files.ts). 1: as they were before they carried a version.
  // releases/current.json: the release serving, the previous one, older ones (deployment/_releases.ts).
  releases: 1,
  // nginx/balancer.json: the balancer's listen port and the release it sends traffic to (_balancer.ts).
  balancer: 1,
  // nginx/pool.json: the instances add-instance put beside the release (_balancer.ts).
  pool: 1,
  // backups/<env>/<id>.json, and its off-site copies: what a backup holds (lib/backups.ts).
  "backup-manifest": 1,
  // instances/<env>.json: the instances scale-instances started on this host.
  instances: 1,
  // .data/dev-stack.json: the local stack npm start brought up (paths.ts readDevStack).
  "dev-stack": 1,
  // post-mortem-link.json in an incident folder: the link that lifts its freeze hold (budget.ts).
  "post-mortem-link": 1,
  // incident.json in an incident folder: who opened it, where, when (incident/triage-snapshot.ts).
  incident: 1,
  // classification.json in an incident folder: the severity and why (incident/classify-severity.ts).
  "incident-classification": 1,
} as const;

export type FormatKind = keyof typeof FORMAT_VERSIONS;

/** Upgrades a record of `kind` from version `from` to `from + 1`. */
type Migration = (record: Record<string, unknown>) => Record<string, unknown>;
const MIGRATIONS: { [K in FormatKind]: Record<number, Migration> } = {
  // Version 1 logged runs only.
  // Version 2 lines are entries without the chain's fields: nothing to add (no hash can be made up).
  audit: { 1: (record) => ({ kind: "run", ...record }), 2: (record) => record },
  // Version 1 events are version 2 events of the kinds that existed then.
  "run-events": { 1: (record) => record },
  "run-state": {},
  // A version 1 lock (locks/<env>.lock) knew its holder's pid only: no database, no process groups.
  lock: { 1: (record) => ({ env: null, database: null, pgid: null, groups: [], ...record }) },
  disabled: {},
  releases: {},
  balancer: {},
  pool: {},
  "backup-manifest": {},
  instances: {},
  "dev-stack": {},
  "post-mortem-link": {},
  incident: {},
  "incident-classification": {},
};

export class FormatError extends Error {
  readonly file: string;
  readonly version: unknown;
  constructor(kind: FormatKind, file: string, version: unknown, where = "") {
    super(
      `${file}${where} is ${kind} format version ${JSON.stringify(version)}; this code reads ${kind} format versions 1 to ${FORMAT_VERSIONS[kind]}. ` +
        "It was written by a newer checkout of the handbook (or is damaged): update this checkout (git pull) to read it, or move the file aside",
    );
    this.name = "FormatError";
    this.file = file;
    this.version = version;
  }
}

/** A record as written: the current version first, so the file says what it is at a glance. */
export function versioned<T extends object>(kind: FormatKind, record: T): { v: number } & T {
  const { v: _ignored, ...rest } = record as T & { v?: unknown };
  return { v: FORMAT_VERSIONS[kind], ...(rest as T) };
}

/**
 * A record as read, brought to the current version and without its `v`. `where` names the line
 * of a multi-record file in the error.
 */
export function readVersioned<T>(kind: FormatKind, file: string, parsed: unknown, where = ""): T {
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new Error(`${file}${where} is not a ${kind} record (expected a JSON object); move the file aside`);
  const { v, ...record } = parsed as Record<string, unknown>;
  // Unversioned: written before formats carried a version, which is version 1.
  const version = v === undefined ? 1 : v;
  if (
    typeof version !== "number" ||
    !Number.isInteger(version) ||
    version < 1 ||
    version > FORMAT_VERSIONS[kind]
  )
    throw new FormatError(kind, file, version, where);
  let current = record;
  for (let from = version; from < FORMAT_VERSIONS[kind]; from++) {
    const migrate = MIGRATIONS[kind][from];
    if (!migrate)
      throw new Error(`no migration of ${kind} records from version ${from}: add one in formats.ts`);
    current = migrate(current);
  }
  return current as T;
}
