import type { Danger } from "./define.ts";
import type { TableData } from "./table.ts";

// The one interface of a run: the CLI renders these, the console streams them, --json prints them.

/**
 * A run id as paths and URLs accept it: newRunId's form (20260101T000000-abcdef) and anything an
 * older run wrote, never a path (no "/" or "."). An approval receipt's id is its plan run's id.
 * console/protocol.ts re-exports it for the page.
 */
export const RUN_ID_PATTERN = /^[\w-]{1,80}$/;

export type StepStatus = "ok" | "failed" | "skipped" | "cancelled" | "timed-out";
export type RunStatus = "ok" | "failed" | "cancelled";

export interface StepSummary {
  id: string;
  title: string;
  danger: Danger;
}

export type RunEvent =
  | {
      type: "run-start";
      runId: string;
      runbook: string;
      title: string;
      env: string;
      actor: string;
      params: Record<string, unknown>;
      steps: StepSummary[];
      plan: boolean;
      resumedFrom: string | null;
      commit: string;
      /** The environment's settings given as secret references: variable → the reference's text. */
      references?: Record<string, string>;
      at: string;
    }
  | {
      type: "step-start";
      runId: string;
      step: string;
      index: number;
      total: number;
      danger: Danger;
      at: string;
    }
  | { type: "output"; runId: string; step: string; stream: "stdout" | "stderr"; line: string; at: string }
  /** Rows with named columns (ctx.table): aligned in a terminal, an HTML table on the page. */
  | ({ type: "table"; runId: string; step: string; at: string } & TableData)
  | {
      type: "step-end";
      runId: string;
      step: string;
      status: StepStatus;
      durationMs: number;
      error?: string;
      planned?: boolean;
      at: string;
    }
  | {
      type: "run-end";
      runId: string;
      status: RunStatus;
      durationMs: number;
      failedStep: string | null;
      at: string;
    };

export type EmitFn = (event: RunEvent) => void;

export type RunEventType = RunEvent["type"];
export type EventOf<K extends RunEventType> = Extract<RunEvent, { type: K }>;

/**
 * A renderer of run events: one function per kind. The CLI, the page's run view and the console
 * client each define one, so adding a kind fails to compile until every renderer handles it.
 */
export type EventFormatters<R> = { [K in RunEventType]: (event: EventOf<K>) => R };

export function renderEvent<R>(formatters: EventFormatters<R>, event: RunEvent): R {
  // The map is total over the union, so the formatter for event.type takes exactly this event.
  return (formatters[event.type] as (event: RunEvent) => R)(event);
}
