import type { LoadSummary } from "../../load-tests/lib/summary.ts";

// Figures from the committed results files (bench/results/app.json by `npm run bench:app`,
// bench/results/site.json by `npm run bench:site`, load-tests/measured/<run>.json by `npm run
// load`), by a dotted name, for <Figure of="…"/> and <BenchmarkTable/> (issue 13: "a page never
// types such a value by hand"). Pure: the files come in as arguments; bench-results-files.ts and
// the components pass the real ones.

export interface Machine {
  cores: number;
  model: string;
  memoryGiB: number;
  node: string;
  loadAverage: number;
}

export interface AppScenario {
  name: string;
  requests: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  errors: number;
  non2xx: number;
  timeouts: number;
  appRssMiB: number;
  appHeapUsedMiB: number;
  shareOfCeiling: number;
  cpu: { app: number; postgres: number; redis: number };
}

export interface AppResults {
  schema: 1;
  measuredAt: string;
  commit: string;
  machine: Machine;
  note: string;
  cpuMethod: string;
  settings: { connections: number; durationSeconds: number; learners: number; items: number };
  targets: { hotReadShareOfCeiling: number; p95Ms: number; errors: number };
  results: AppScenario[];
}

export interface PageWeightRow {
  page: string;
  rawHtmlBytes: number;
  gzipHtmlBytes: number;
  gzipTotalBytes: number;
}

export interface SiteResults {
  schema: 1;
  measuredAt: string;
  commit: string;
  machine: Machine;
  note: string;
  build: { seconds: number; pages: number };
  budget: { rawHtmlBytes: number; gzipTotalBytes: number };
  typicalPage: { page: string; files: number; rawBytes: number; gzipBytes: number };
  pageWeights: PageWeightRow[];
}

export interface Results {
  app: AppResults;
  site: SiteResults;
  load: Readonly<Record<string, LoadSummary>>;
}

export interface Figure {
  value: number;
  /** The value as a page shows it, with its unit: "2,692 req/s", "57.2 ms", "35%". */
  text: string;
}

/** A scenario's key in a figure name: "system.ping (ceiling)" → system.ping, "system.ping (again)" → system.ping.again. */
export const scenarioKey = (name: string): string =>
  name.replace(/ \(ceiling\)$/, "").replace(/ \((\w+)\)$/, ".$1");

const whole = (n: number) => Math.round(n).toLocaleString("en");
const oneDecimal = (n: number) =>
  n.toLocaleString("en", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const fig = (value: number, text: string): Figure => ({ value, text });

const APP_FIELDS: Record<string, (s: AppScenario) => Figure> = {
  rps: (s) => fig(s.requestsPerSecond, `${whole(s.requestsPerSecond)} req/s`),
  requests: (s) => fig(s.requests, whole(s.requests)),
  p50: (s) => fig(s.latencyMs.p50, `${oneDecimal(s.latencyMs.p50)} ms`),
  p95: (s) => fig(s.latencyMs.p95, `${oneDecimal(s.latencyMs.p95)} ms`),
  p99: (s) => fig(s.latencyMs.p99, `${oneDecimal(s.latencyMs.p99)} ms`),
  max: (s) => fig(s.latencyMs.max, `${oneDecimal(s.latencyMs.max)} ms`),
  errors: (s) => fig(s.errors + s.non2xx + s.timeouts, whole(s.errors + s.non2xx + s.timeouts)),
  rss: (s) => fig(s.appRssMiB, `${whole(s.appRssMiB)} MiB`),
  heap: (s) => fig(s.appHeapUsedMiB, `${whole(s.appHeapUsedMiB)} MiB`),
  share: (s) => fig(s.shareOfCeiling, `${Math.round(s.shareOfCeiling * 100)}%`),
  "cpu.app": (s) => fig(s.cpu.app, `${s.cpu.app.toFixed(2)} cores`),
  "cpu.postgres": (s) => fig(s.cpu.postgres, `${s.cpu.postgres.toFixed(2)} cores`),
  "cpu.redis": (s) => fig(s.cpu.redis, `${s.cpu.redis.toFixed(2)} cores`),
};

function appFigure(app: AppResults, rest: string): Figure | undefined {
  if (rest === "connections") return fig(app.settings.connections, whole(app.settings.connections));
  if (rest === "duration") return fig(app.settings.durationSeconds, `${app.settings.durationSeconds} s`);
  if (rest === "learners") return fig(app.settings.learners, whole(app.settings.learners));
  if (rest === "items") return fig(app.settings.items, whole(app.settings.items));
  for (const s of app.results) {
    const key = scenarioKey(s.name);
    if (!rest.startsWith(`${key}.`)) continue;
    const field = APP_FIELDS[rest.slice(key.length + 1)];
    if (field) return field(s);
  }
  return undefined;
}

function siteFigure(site: SiteResults, rest: string): Figure | undefined {
  if (rest === "build.seconds") return fig(site.build.seconds, `${oneDecimal(site.build.seconds)} s`);
  if (rest === "build.pages") return fig(site.build.pages, whole(site.build.pages));
  const kib = (bytes: number) => fig(Math.round((bytes / 1024) * 10) / 10, `${oneDecimal(bytes / 1024)} KiB`);
  if (rest === "typical.raw") return kib(site.typicalPage.rawBytes);
  if (rest === "typical.gzip") return kib(site.typicalPage.gzipBytes);
  if (rest === "typical.files") return fig(site.typicalPage.files, whole(site.typicalPage.files));
  const biggest = (pick: (w: PageWeightRow) => number) => Math.max(...site.pageWeights.map(pick));
  if (rest === "largest.raw") return kib(biggest((w) => w.rawHtmlBytes));
  if (rest === "largest.gzip") return kib(biggest((w) => w.gzipTotalBytes));
  const page = /^page:(.+)\.(raw|gzip)$/.exec(rest);
  const row = page && site.pageWeights.find((w) => w.page === page[1]);
  if (row) return kib(page?.[2] === "raw" ? row.rawHtmlBytes : row.gzipTotalBytes);
  return undefined;
}

/** What scripts/measure-breakpoint.ts and scripts/measure-auth-wave.ts add to a load summary. */
interface Measurement {
  lastGoodLearners?: number | null;
  responses429?: number;
  atBreak?: { cpu: Record<string, number>; app: { poolWaiting: number } } | null;
  wave?: Record<string, number | null>;
}

const cores = (n: number) => fig(n, `${n.toLocaleString("en", { maximumFractionDigits: 2 })} cores`);

/** The wave's fields and how each reads (scripts/measure-auth-wave.ts). */
const WAVE_FIELDS: Record<string, (n: number) => Figure> = {
  hashSeconds: (n) => fig(n, `${n.toLocaleString("en", { maximumFractionDigits: 2 })} s`),
  learners: (n) => fig(n, whole(n)),
  sessionsRevoked: (n) => fig(n, whole(n)),
  allBackAfterS: (n) => fig(n, `${whole(n)} s`),
  logInsServed: (n) => fig(n, whole(n)),
  logInsPerSecondMean: (n) => fig(n, `${oneDecimal(n)} log-ins/s`),
  logInsPerSecondPeak: (n) => fig(n, `${whole(n)} log-ins/s`),
  refusedBusy: (n) => fig(n, whole(n)),
  unauthorized: (n) => fig(n, whole(n)),
  hashingWaitingMax: (n) => fig(n, whole(n)),
  practiceP95BeforeMs: (n) => fig(n, `${oneDecimal(n)} ms`),
  practiceP95DuringWorstMs: (n) => fig(n, `${oneDecimal(n)} ms`),
};

/** load.<run>.at-break.<app|postgres|redis|proxies|generator|total|pool-waiting>, load.<run>.limited.count, load.<run>.stopped.vus, load.<run>.wave.<field> */
function measurementFigure(summary: LoadSummary, metric: string, stat: string): Figure | undefined {
  const m = (summary as LoadSummary & { measurement?: Measurement }).measurement;
  if (metric === "stopped" && stat === "vus") {
    const last = summary.series.at(-1);
    return last ? fig(last.vus, whole(last.vus)) : undefined;
  }
  if (!m) return undefined;
  if (metric === "limited" && stat === "count" && typeof m.responses429 === "number")
    return fig(m.responses429, whole(m.responses429));
  if (metric === "at-break" && m.atBreak) {
    if (stat === "pool-waiting") return fig(m.atBreak.app.poolWaiting, whole(m.atBreak.app.poolWaiting));
    const cpu = m.atBreak.cpu;
    if (stat === "total") return cores(Math.round(Object.values(cpu).reduce((a, b) => a + b, 0) * 100) / 100);
    if (typeof cpu[stat] === "number") return cores(cpu[stat] as number);
  }
  const value = m.wave?.[stat];
  const reading = WAVE_FIELDS[stat];
  if (metric === "wave" && typeof value === "number" && reading) return reading(value);
  return undefined;
}

/** load.<run>.<metric>.<stat>: metric practice|auth|all|failed|reqs or a procedure (logIn); stat p50…max, count, rate; load.<run>.peak.rps; load.<run>.breakpoint.vus|first-bad-vus; and the measurement scripts' figures (measurementFigure) */
function loadFigure(load: Readonly<Record<string, LoadSummary>>, rest: string): Figure | undefined {
  const [run, metric, stat] = rest.split(".");
  const summary = load[run ?? ""];
  if (!summary) return undefined;
  const measured = measurementFigure(summary, metric ?? "", stat ?? "");
  if (measured) return measured;
  const lastGood = summary.breakpoint?.lastGoodVus;
  if (metric === "breakpoint" && stat === "vus" && typeof lastGood === "number")
    return fig(lastGood, whole(lastGood));
  if (metric === "breakpoint" && stat === "first-bad-vus" && summary.breakpoint?.firstBad)
    return fig(summary.breakpoint.firstBad.vus, whole(summary.breakpoint.firstBad.vus));
  if (metric === "peak" && stat === "rps") {
    const peak = Math.max(...summary.series.map((p) => p.requests / summary.bucketS));
    return fig(Math.round(peak), `${whole(peak)} req/s`);
  }
  const named: Record<string, string> = {
    practice: "http_req_duration{kind:practice}",
    auth: "http_req_duration{kind:auth}",
    all: "http_req_duration",
    failed: "http_req_failed",
    reqs: "http_reqs",
  };
  // load.<run>.logIn.p95: one procedure's latency (http_req_duration{procedure:accounts.logIn}).
  const procedure = Object.keys(summary.metrics).find((k) => k.endsWith(`.${metric}}`));
  const name = named[metric ?? ""] ?? procedure;
  const m = name ? summary.metrics[name] : undefined;
  if (!m || !stat) return undefined;
  const value = (m as unknown as Record<string, number | null>)[stat];
  if (value === null || value === undefined) return undefined;
  if (stat === "count") return fig(value, whole(value));
  if (stat === "rate")
    return fig(value, metric === "failed" ? `${oneDecimal(value * 100)}%` : `${whole(value)} req/s`);
  return fig(value, `${oneDecimal(value)} ms`);
}

/** One figure by name (app.exercises.next.p95, site.build.seconds, load.average-load.practice.p95); throws, naming what exists, when there is none. */
export function figure(results: Results, of: string): Figure {
  const [source, ...restParts] = of.split(".");
  const rest = restParts.join(".");
  const found =
    source === "app"
      ? appFigure(results.app, rest)
      : source === "site"
        ? siteFigure(results.site, rest)
        : source === "load"
          ? loadFigure(results.load, rest)
          : undefined;
  if (!found)
    throw new Error(
      `no benchmark figure "${of}": app.<scenario>.<${Object.keys(APP_FIELDS).join("|")}> (scenarios: ${results.app.results.map((s) => scenarioKey(s.name)).join(", ")}), site.build.seconds|pages, site.typical.raw|gzip, site.largest.raw|gzip, site.page:<path>.raw|gzip, load.<run>.<practice|auth|all|failed|reqs|a procedure such as logIn>.<p50|p95|p99|max|count|rate>, load.<run>.peak.rps, load.<run>.breakpoint.vus|first-bad-vus, load.<run>.stopped.vus, load.<run>.limited.count, load.<run>.at-break.<app|postgres|redis|proxies|generator|total|pool-waiting>, load.<run>.wave.<${Object.keys(WAVE_FIELDS).join("|")}> (runs: ${Object.keys(results.load).join(", ")})`,
    );
  return found;
}

/** "6 Dec 2026, commit 205e9bd, 2 cores (AMD EPYC), 23.5 GiB, load average 7.44 at the start" */
export function provenance(r: { measuredAt: string; commit: string; machine: Machine }): string {
  const date = new Date(r.measuredAt).toLocaleDateString("en-GB", {
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  });
  const m = r.machine;
  return `${date}, commit ${r.commit.slice(0, 7)}${r.commit.endsWith("+dirty") ? " with uncommitted changes" : ""}, ${m.cores} cores (${m.model}), ${m.memoryGiB} GiB, Node ${m.node}, load average ${m.loadAverage} at the start`;
}

/** Every figure a page could show, as the texts a hand-typed copy would contain (for the build check). */
export function allFigureTexts(results: Results): string[] {
  const texts = new Set<string>();
  for (const s of results.app.results)
    for (const field of Object.values(APP_FIELDS)) texts.add(field(s).text);
  for (const rest of ["build.seconds", "typical.raw", "typical.gzip", "largest.raw", "largest.gzip"])
    texts.add(siteFigure(results.site, rest)?.text ?? "");
  for (const w of results.site.pageWeights)
    for (const kind of ["raw", "gzip"])
      texts.add(siteFigure(results.site, `page:${w.page}.${kind}`)?.text ?? "");
  for (const run of Object.keys(results.load))
    for (const metric of ["practice", "all"])
      for (const stat of ["p50", "p95", "p99", "max"]) {
        const f = loadFigure(results.load, `${run}.${metric}.${stat}`);
        if (f) texts.add(f.text);
      }
  texts.delete("");
  return [...texts];
}
