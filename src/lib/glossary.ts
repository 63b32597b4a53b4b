// The handbook's glossary as data: the glossary page renders it (src/components/GlossaryTerm.astro)
// and the build check (glossary-check.ts) links each term's first use on every page to it. A term's
// `match` decides what counts as a use: case-sensitive for acronyms, and narrowed where a word has
// a second, everyday sense the glossary does not mean (an environment *variable*, a *query* plan).

export interface GlossaryTerm {
  /** The anchor on /glossary/ (`/glossary/#rto`). */
  id: string;
  term: string;
  /** What counts as a use of the term in a page's prose. Global flag not needed; one is added. */
  match: RegExp;
  definition: string;
  /** A policy value to show beside the definition (a Value path, e.g. `backup.rtoMinutes`). */
  policy?: { of: string; label: string };
  /** Where the handbook explains it in full. */
  see?: { href: string; label: string };
}

export const GLOSSARY_GROUPS = [
  "Running procedures",
  "Reliability targets",
  "Incidents and on-call",
  "The system",
] as const;
export type GlossaryGroup = (typeof GLOSSARY_GROUPS)[number];

export const GLOSSARY = [
  // Running procedures
  {
    id: "runbook",
    group: "Running procedures",
    term: "Runbook",
    match: /\b(?<!Operational )runbooks?\b/i,
    definition:
      "A procedure written as a script (a TypeScript file in runbooks/) that runs from a terminal, from the Run button on the page that describes it, or from CI. The page shows the runbook's real source, so what you read is what runs.",
    see: { href: "/using-the-console/", label: "Running a procedure from the page" },
  },
  {
    id: "plan",
    group: "Running procedures",
    term: "Plan (of a step)",
    match: /\*\*Plan\*\*|\bits plan\b|\bthe plan first\b|\bshows? (?:its |the )?plan\b/,
    definition:
      "What a step that changes something would do, printed without doing it: the Plan button on the page, --plan in a terminal. Look at the plan before a change or destructive run on production.",
    see: { href: "/using-the-console/", label: "Running a procedure from the page" },
  },
  {
    id: "destructive",
    group: "Running procedures",
    term: "Danger level (read, change, destructive)",
    match: /\bdestructive\b/i,
    definition:
      "Every runbook step declares one. A read step changes nothing; a change step changes the environment and takes its lock; a destructive step can lose data (a restore, a purge) and asks you to type the environment's name first.",
  },
  {
    id: "lock",
    group: "Running procedures",
    term: "Lock",
    match: /\block(?:s|ed)?\b/i,
    definition:
      "Two senses. A runbook lock: a change or destructive run holds one per environment, so a second change in the same environment (from the console or a terminal) is refused, naming the run that holds it. A database lock: PostgreSQL's, taken by a statement on the rows or tables it touches; a long-held one makes other queries wait.",
    see: {
      href: "/operational-runbook/troubleshooting/#locks-and-long-queries",
      label: "Locks and long queries",
    },
  },
  {
    id: "environment",
    group: "Running procedures",
    term: "Environment",
    match: /\benvironments?\b(?! variables?)/i,
    definition:
      "A named place a runbook runs against: dev (the local stack npm start brings up), staging or production, each with its own app URL, database and Redis. Only dev's settings are in the repository; the others come from the operator's environment variables.",
    see: { href: "/deployment-playbook/environments/", label: "Environments" },
  },
  {
    id: "console",
    group: "Running procedures",
    term: "Console",
    match: /\bconsole\b(?! errors?)/i,
    definition:
      "The small server that serves this handbook with working Run buttons: it runs runbooks for the page and streams their output. npm start starts it and prints a one-time sign-in link; a static copy of the handbook has no console.",
    see: { href: "/using-the-console/", label: "Using the console" },
  },
  {
    id: "audit-log",
    group: "Running procedures",
    term: "Audit log",
    match: /\baudit logs?\b/i,
    definition:
      "The record of every runbook run and every refused attempt (who, when, which environment, each step's result), written by the console and the terminal alike.",
    see: { href: "/operational-runbook/audit-log/", label: "Audit log" },
  },
  // Reliability targets
  {
    id: "slo",
    group: "Reliability targets",
    term: "SLO (service level objective)",
    match: /\bSLOs?\b|\bservice level objectives?\b/i,
    definition:
      "A target for how well the app serves learners over a window, measured by an SLI: for example the share of API calls that succeed, or their 95th-percentile latency. The SLOs are numbers in policy/index.ts; the alerts and load-test thresholds are derived from them.",
    see: { href: "/#service-levels-and-alerts", label: "Service levels and alerts" },
  },
  {
    id: "sli",
    group: "Reliability targets",
    term: "SLI (service level indicator)",
    match: /\bSLIs?\b|\bservice level indicators?\b/i,
    definition:
      "The measurement an SLO is judged by: a ratio of good events to all events, computed from the app's metrics (for example, API calls that did not end in a server error, over all API calls).",
  },
  {
    id: "error-budget",
    group: "Reliability targets",
    term: "Error budget",
    match: /\berror budgets?\b/i,
    definition:
      "How much failure the SLO allows over its window: with 99.5% of calls to succeed, 0.5% may fail. While budget remains, the team ships; when it is spent, risky change stops until reliability is back.",
  },
  {
    id: "burn-rate",
    group: "Reliability targets",
    term: "Burn rate",
    match: /\bburn[- ]rates?\b/i,
    definition:
      "How fast the error budget is being spent, relative to spending exactly all of it over the window: a burn rate of 1 uses the budget up at the window's end, 14.4 uses a 30-day budget in about two days. Alerts on a high burn rate over a short and a long window catch both sudden and slow failures.",
  },
  {
    id: "p95",
    group: "Reliability targets",
    term: "p95, p99 (percentile latency)",
    match: /\bp(?:95|99)\b/,
    definition:
      "The response time that 95% (99%) of requests beat. A mean hides the slow tail learners feel; a percentile does not.",
  },
  {
    id: "rto",
    group: "Reliability targets",
    term: "RTO (recovery time objective)",
    match: /\bRTO\b|\brecovery time objective\b/i,
    definition:
      "The longest the app may be unavailable after a disaster before it is restored. The disaster-recovery drill measures the real restore time against it.",
    policy: { of: "backup.rtoMinutes", label: "Target" },
    see: { href: "/deployment-playbook/disaster-recovery/", label: "Disaster recovery" },
  },
  {
    id: "rpo",
    group: "Reliability targets",
    term: "RPO (recovery point objective)",
    match: /\bRPO\b|\brecovery point objective\b/i,
    definition:
      "The most recent work that may be lost in a disaster: the age of the newest backup you can restore. Answers given after it are gone.",
    policy: { of: "backup.rpoMinutes", label: "Target" },
    see: { href: "/deployment-playbook/disaster-recovery/", label: "Disaster recovery" },
  },
  {
    id: "dr-drill",
    group: "Reliability targets",
    term: "DR drill (disaster-recovery drill)",
    match: /\b(?:DR|disaster[- ]recovery) drills?\b/i,
    definition:
      "A rehearsal of recovery: restore the latest backup into a scratch database and measure the time it took and the data it would have lost against the RTO and RPO.",
    see: { href: "/deployment-playbook/disaster-recovery/", label: "Disaster recovery" },
  },
  // Incidents and on-call
  {
    id: "severity",
    group: "Incidents and on-call",
    term: "Severity (P0–P3)",
    match: /\bP[0-3]\b/,
    definition:
      "How bad an incident is, from P0 (learners cannot practise, or data is at risk) to P3 (a minor fault with a workaround). The severity sets the response time, who is paged and whether a post-mortem is due; the classify-severity runbook decides it the same way every time.",
    see: { href: "/incident-response/", label: "Incident Response" },
  },
  {
    id: "ic",
    group: "Incidents and on-call",
    term: "IC (incident commander)",
    match: /\bIC\b|\b[Ii]ncident [Cc]ommanders?\b/,
    definition:
      "The one person who runs an incident: assigns work, decides, keeps the timeline and the updates going. The IC does not debug; the first responder is IC until they hand over.",
    see: { href: "/incident-response/contacts/", label: "Contacts and roles" },
  },
  {
    id: "on-call",
    group: "Incidents and on-call",
    term: "On-call",
    match: /\bon-call\b/i,
    definition:
      "The engineer who is paged for alerts during their shift and answers first. The rota lives in the team's paging tool, not in this repository.",
    see: { href: "/incident-response/on-call/", label: "The on-call path" },
  },
  {
    id: "shadow",
    group: "Incidents and on-call",
    term: "Shadow shift",
    match: /\bshadow(?:ing)? shifts?\b/i,
    definition:
      "A shift where a newcomer receives every page alongside the primary on-call, follows the response and asks questions, but acts only when asked.",
    see: { href: "/incident-response/on-call/", label: "The on-call path" },
  },
  {
    id: "reverse-shadow",
    group: "Incidents and on-call",
    term: "Reverse-shadow shift",
    match: /\breverse[- ]shadow(?:ing)?\b/i,
    definition:
      "The shift after shadowing: the newcomer is primary and answers every page; an experienced engineer is paged too, watches and steps in only if asked or if the response stalls.",
    see: { href: "/incident-response/on-call/", label: "The on-call path" },
  },
  {
    id: "post-mortem",
    group: "Incidents and on-call",
    term: "Post-mortem",
    match: /\bpost-mortems?\b/i,
    definition:
      "The blameless write-up after an incident: timeline, impact, causes and the actions that stop it happening again, each with an owner. The post-mortem runbook drafts it from the incident's evidence.",
    see: { href: "/incident-response/post-incident/", label: "After the incident" },
  },
  {
    id: "hotfix",
    group: "Incidents and on-call",
    term: "Hotfix",
    match: /\bhotfix(?:es)?\b/i,
    definition:
      "An urgent fix released from the running release's tag instead of from main, through a shorter path with the same gates.",
    see: { href: "/cicd-workflow/hotfix/", label: "Hotfix" },
  },
  // The system
  {
    id: "degraded",
    group: "The system",
    term: "Degraded",
    match: /\bdegraded\b/i,
    definition:
      "The app's state when Redis is unreachable: it keeps serving learners from PostgreSQL, without the shared cache and with rate limits counted per instance. /readyz still answers 200 and says degraded.",
    see: { href: "/infrastructure-architecture/components/", label: "Components" },
  },
  {
    id: "readiness",
    group: "The system",
    term: "Readiness (/readyz)",
    match: /\breadiness\b/i,
    definition:
      "Whether an instance should get traffic: /readyz answers 503 while PostgreSQL is unreachable, a migration is pending or the instance is shutting down. Liveness (/healthz) only says the process answers.",
  },
  {
    id: "drain",
    group: "The system",
    term: "Drain",
    match: /\bdrain(?:s|ed|ing)?\b/i,
    definition:
      "Taking an instance out of service without failing anyone: it stops being ready so the load balancer sends it nothing new, finishes the requests it has, then exits.",
    see: { href: "/operational-runbook/scaling-operations/", label: "Scaling operations" },
  },
  {
    id: "expand-contract",
    group: "The system",
    term: "Expand/contract (migration)",
    match: /\bexpand(?:\/| and | then |-and-|-then-|-)contract\b/i,
    definition:
      "Changing the database schema in two releases so old and new code both work during a deploy: first expand (add the new column or table, written by both), later contract (remove the old one once nothing reads it).",
    see: {
      href: "/deployment-playbook/database-migrations/#expand-then-contract",
      label: "Expand-then-contract",
    },
  },
  {
    id: "smoke-test",
    group: "The system",
    term: "Smoke test",
    match: /\bsmoke(?:[- ](?:tests?|checks?))?\b/i,
    definition:
      "A quick check that the basics work (the app answers, a learner can log in and practise) run right after a deploy or before a longer test; a failing smoke test stops the rollout.",
  },
] as const satisfies readonly (GlossaryTerm & { group: GlossaryGroup })[];

export type GlossaryId = (typeof GLOSSARY)[number]["id"];

export function glossaryTerm(id: string): (GlossaryTerm & { group: GlossaryGroup }) | undefined {
  return GLOSSARY.find((t) => t.id === id);
}

export const GLOSSARY_PATH = "/glossary/";
