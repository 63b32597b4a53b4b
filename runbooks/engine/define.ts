import type { z } from "zod";
import type { StepContext } from "./context.ts";

// How a runbook is written: `export default defineRunbook({ ..., params, steps: (step) => [step({ ... })] })`.
// `steps` is a function so that the `step` it receives is typed by this runbook's params: a
// misspelt `ctx.params.x` fails to compile (a free-standing generic `step` cannot infer them).

export const DANGER_LEVELS = ["read", "change", "destructive"] as const;
export type Danger = (typeof DANGER_LEVELS)[number];

export const GUIDES = [
  "deployment-playbook",
  "infrastructure-architecture",
  "operational-runbook",
  "cicd-workflow",
  "maintenance-guide",
  "incident-response",
  "scaling-guide",
] as const;
export type Guide = (typeof GUIDES)[number];

// biome-ignore lint/suspicious/noExplicitAny: a step's params type is erased once the runbook is defined (the engine, catalog and console handle runbooks of every params type; their values are checked by the schema at run time).
export type AnyParams = any;

export interface StepDefinition<P = AnyParams, R = unknown> {
  id: string;
  title: string;
  /** One line: what the step does. */
  description: string;
  danger: Danger;
  /** Milliseconds before the step is stopped and marked timed-out. */
  timeoutMs: number;
  /** For change and destructive steps: what the step would do, without doing it (`--plan`). */
  plan?: (ctx: StepContext<P>) => Promise<string[]> | string[];
  run: (ctx: StepContext<P>) => Promise<R> | R;
}

/** Viewers the page knows for an artifact; anything else is offered as a download. */
export const ARTIFACT_VIEWERS = ["load-chart", "text"] as const;
export type ArtifactViewer = (typeof ARTIFACT_VIEWERS)[number];

/**
 * A file a run writes into its own artifacts folder (`ctx.runArtifactsDir`), which the console
 * serves as `GET /api/runs/<run id>/artifacts/<name>` and the page shows with its viewer.
 */
export interface ArtifactDeclaration {
  /** kebab-case; the URL names the artifact by it. */
  name: string;
  title: string;
  /** The file name in the run's artifacts folder; `{param}` is replaced by that run's parameter. */
  file: string;
  mediaType: "application/json" | "text/plain" | "text/markdown" | "application/xml";
  viewer?: ArtifactViewer;
}

/** Makes one step whose context carries the runbook's params `P` (handed to `steps`). */
export type StepFactory<P> = <R = unknown>(definition: StepDefinition<P, R>) => StepDefinition<P, R>;

export interface RunbookDefinition<S extends z.ZodObject = z.ZodObject> {
  id: string;
  title: string;
  summary: string;
  guide: Guide;
  /** The section of the guide the runbook belongs to, as the guide titles it. */
  section: string;
  params: S;
  /** The steps, in order; their params type is erased here (see AnyParams). */
  steps: StepDefinition[];
  /** Files a run leaves for the page and the run history (see ArtifactDeclaration). */
  artifacts?: readonly ArtifactDeclaration[];
  /**
   * Local files the steps run that the runbook does not import (a script started with node, a
   * package.json whose scripts it runs), relative to the runbook file as an import would be. They
   * and the modules they import are hashed with the runbook's own imports: a run is refused when
   * any of them changed since the runbook was loaded (provenance.ts).
   */
  executes?: readonly string[];
}

/** What a runbook file passes to defineRunbook: `steps` receives a `step` typed by `params`. */
export interface RunbookSpec<S extends z.ZodObject> extends Omit<RunbookDefinition<S>, "steps"> {
  steps: (step: StepFactory<z.output<S>>) => StepDefinition<z.output<S>>[];
}

export type Runbook = RunbookDefinition & { file: string };

/** Runbook, step and artifact ids: kebab-case. */
export const ID_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const ID = ID_PATTERN;

/** Checks a runbook's shape when it is loaded, so a mistake fails the catalog, not a 3 a.m. run. */
export function defineRunbook<S extends z.ZodObject>(spec: RunbookSpec<S>): RunbookDefinition<S> {
  const definition: RunbookDefinition<S> = { ...spec, steps: spec.steps(step) };
  const problems: string[] = [];
  if (!ID.test(definition.id)) problems.push(`id "${definition.id}" must be kebab-case`);
  if (definition.steps.length === 0) problems.push("a runbook needs at least one step");
  const seen = new Set<string>();
  for (const s of definition.steps) {
    if (!ID.test(s.id)) problems.push(`step id "${s.id}" must be kebab-case`);
    if (seen.has(s.id)) problems.push(`step id "${s.id}" is used twice`);
    seen.add(s.id);
    if (!(s.timeoutMs > 0)) problems.push(`step "${s.id}" needs a positive timeoutMs`);
    if (!DANGER_LEVELS.includes(s.danger)) problems.push(`step "${s.id}" has unknown danger "${s.danger}"`);
  }
  const names = new Set<string>();
  for (const a of definition.artifacts ?? []) {
    if (!ID.test(a.name)) problems.push(`artifact name "${a.name}" must be kebab-case`);
    if (names.has(a.name)) problems.push(`artifact "${a.name}" is declared twice`);
    names.add(a.name);
    if (a.file.includes("/") || a.file.includes("\\") || a.file.startsWith("."))
      problems.push(`artifact "${a.name}": file "${a.file}" must be a plain file name in the run's folder`);
    for (const [, param] of a.file.matchAll(/\{(\w+)\}/g))
      if (!param || !(param in definition.params.shape))
        problems.push(`artifact "${a.name}": file "${a.file}" names unknown parameter "${param}"`);
  }
  for (const file of definition.executes ?? [])
    if (!file.startsWith("./") && !file.startsWith("../"))
      problems.push(
        `executes: "${file}" must be a path relative to the runbook file ("../../load-tests/run.ts")`,
      );
  if (problems.length > 0) throw new Error(`runbook "${definition.id}" is invalid: ${problems.join("; ")}`);
  return definition;
}

/** The identity function behind every typed `step`; private so a runbook cannot use an untyped one. */
function step<P, R>(definition: StepDefinition<P, R>): StepDefinition<P, R> {
  return definition;
}

export const seconds = (n: number) => n * 1_000;
export const minutes = (n: number) => n * 60_000;
