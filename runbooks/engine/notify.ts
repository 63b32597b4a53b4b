import {
  RUN_NOTIFICATIONS,
  type RunNotificationEvent,
  type RunNotificationRule,
} from "../../policy/index.ts";
import type { Environment, EnvironmentName } from "./environments.ts";
import type { EventOf, RunEvent } from "./events.ts";
import type { Masker } from "./mask.ts";
import { parseSecretRef, resolveSecretRef, SecretRefError } from "./secret-refs.ts";
import { tableLines } from "./table.ts";

// Run notifications: when a run ends, or a destructive run starts, a message with its result,
// duration, who ran it and the tail of its output is posted to the environment's webhook. Which
// events notify is policy (RUN_NOTIFICATIONS); the webhook is the operator's secret:
//   SSP_<ENV>_NOTIFY_WEBHOOK   the URL, or a secret reference to it (file:, env:, cmd:)
//   SSP_<ENV>_NOTIFY_FORMAT    slack (a Slack-compatible {"text": …}, the default) or json
// Delivery happens in the background, with a timeout per attempt, retried with backoff; a delivery
// that fails for good is reported as a warning line on stderr and never changes or delays the run's
// result. Plan runs change nothing and notify nothing.

export type NotifyFormat = "slack" | "json";
export const NOTIFY_FORMATS: readonly NotifyFormat[] = ["slack", "json"];
/** How many lines of the run's output a message carries. */
export const OUTPUT_TAIL_LINES = 20;
export const DELIVERY = { attempts: 3, timeoutMs: 5_000, backoffMs: 500 } as const;

export function notifyVariables(name: EnvironmentName): { webhook: string; format: string } {
  const prefix = `SSP_${name.toUpperCase()}_NOTIFY_`;
  return { webhook: `${prefix}WEBHOOK`, format: `${prefix}FORMAT` };
}

/** What a message says, before it is shaped for a format. */
export interface RunNotification {
  event: RunNotificationEvent;
  runId: string;
  runbook: string;
  title: string;
  env: string;
  actor: string;
  /** The run's status at run-end; "running" when a destructive run starts. */
  status: "ok" | "failed" | "cancelled" | "running";
  durationMs: number | null;
  failedStep: string | null;
  destructiveSteps: string[];
  outputTail: string[];
  at: string;
}

export function formatNotification(message: RunNotification, format: NotifyFormat): Record<string, unknown> {
  if (format === "json") return { ...message };
  const seconds = message.durationMs === null ? "" : ` after ${(message.durationMs / 1000).toFixed(1)} s`;
  const headline =
    message.event === "destructive-start"
      ? `:warning: *${message.runbook}* (${message.title}) started destructive steps ${message.destructiveSteps.join(", ")} in *${message.env}*`
      : `${message.status === "ok" ? ":white_check_mark:" : ":x:"} *${message.runbook}* (${message.title}) ${message.status === "ok" ? "succeeded" : message.status}${message.failedStep ? ` at step ${message.failedStep}` : ""} in *${message.env}*${seconds}`;
  const tail = message.outputTail.length > 0 ? `\n\`\`\`\n${message.outputTail.join("\n")}\n\`\`\`` : "";
  return { text: `${headline}, run by ${message.actor} (run ${message.runId})${tail}` };
}

const pending = new Set<Promise<void>>();

/** Resolves when every delivery started so far has succeeded or given up (tests, a CLI about to exit). */
export async function settleNotifications(): Promise<void> {
  while (pending.size > 0) await Promise.all([...pending]);
}

export interface NotifierOptions {
  env: Environment;
  processEnv: NodeJS.ProcessEnv;
  /** The run's masker: it learns the webhook URL, and masks every message and warning. */
  masker: Masker;
  /** Where a delivery that failed for good is reported. */
  warn?: (line: string) => void;
  delivery?: { attempts: number; timeoutMs: number; backoffMs: number };
}

export interface Notifier {
  /** Sees every (masked) event of the run; posts when the policy says so. Never throws. */
  observe(event: RunEvent): void;
}

const SILENT: Notifier = { observe() {} };

/**
 * The run's notifier, or one that does nothing when the environment has no webhook or no event to
 * notify. A webhook that cannot be resolved is a warning, not a refusal: notifications never stop a run.
 */
export function createNotifier(options: NotifierOptions): Notifier {
  const warn = options.warn ?? ((line: string) => process.stderr.write(`warning: ${line}\n`));
  const rule = (RUN_NOTIFICATIONS as Record<string, RunNotificationRule>)[options.env.name];
  const events = rule?.events ?? [];
  const vars = notifyVariables(options.env.name);
  const configured = options.processEnv[vars.webhook]?.trim() ?? "";
  if (!configured || events.length === 0) return SILENT;
  const ref = parseSecretRef(configured);
  let url = configured;
  if (ref) {
    try {
      url = resolveSecretRef(ref, options.processEnv);
    } catch (error) {
      if (!(error instanceof SecretRefError)) throw error;
      warn(`${vars.webhook}: ${error.message}; this run sends no notifications`);
      return SILENT;
    }
  }
  options.masker.add(url);
  try {
    new URL(url);
  } catch {
    warn(`${vars.webhook}${ref ? ` (${ref.text})` : ""} is not a URL; this run sends no notifications`);
    return SILENT;
  }
  const formatSetting = options.processEnv[vars.format]?.trim() || "slack";
  const format: NotifyFormat = (NOTIFY_FORMATS as readonly string[]).includes(formatSetting)
    ? (formatSetting as NotifyFormat)
    : "slack";
  if (format !== formatSetting)
    warn(`${vars.format} is "${formatSetting}"; use one of ${NOTIFY_FORMATS.join(", ")} (slack is used)`);
  const delivery = options.delivery ?? DELIVERY;
  const where = ref ? `${vars.webhook} (${ref.text})` : vars.webhook;

  let start: EventOf<"run-start"> | null = null;
  const tail: string[] = [];

  const send = (message: RunNotification) => {
    const body = JSON.stringify(options.masker.maskValue(formatNotification(message, format)));
    const job = deliver(url, body, delivery).then(
      (failure) => {
        if (failure)
          warn(
            options.masker.mask(
              `the ${message.event} notification of run ${message.runId} was not delivered to ${where} after ${delivery.attempts} attempts (${failure}); the run's result is not affected: check the webhook`,
            ),
          );
      },
      () => undefined, // deliver reports every failure as its result; it does not reject.
    );
    pending.add(job);
    void job.finally(() => pending.delete(job));
  };

  const base = (begin: EventOf<"run-start">) => ({
    runId: begin.runId,
    runbook: begin.runbook,
    title: begin.title,
    env: begin.env,
    actor: begin.actor,
    destructiveSteps: begin.steps.filter((s) => s.danger === "destructive").map((s) => s.id),
  });

  return {
    observe(event) {
      if (event.type === "run-start") {
        start = event;
        const destructive = base(event).destructiveSteps;
        if (!event.plan && destructive.length > 0 && events.includes("destructive-start"))
          send({
            ...base(event),
            event: "destructive-start",
            status: "running",
            durationMs: null,
            failedStep: null,
            outputTail: [],
            at: event.at,
          });
      } else if (event.type === "output" || event.type === "table") {
        // A table reads in a message as it does in a terminal: aligned lines.
        for (const line of event.type === "output" ? [event.line] : tableLines(event)) {
          tail.push(line);
          if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
        }
      } else if (event.type === "run-end" && start && !start.plan) {
        const kind: RunNotificationEvent = event.status === "ok" ? "run-end-ok" : "run-end-failed";
        if (events.includes(kind))
          send({
            ...base(start),
            event: kind,
            status: event.status,
            durationMs: event.durationMs,
            failedStep: event.failedStep,
            outputTail: [...tail],
            at: event.at,
          });
      }
    },
  };
}

/** Posts the body, retrying with backoff; resolves with null when delivered, else why it was not. */
async function deliver(
  url: string,
  body: string,
  delivery: { attempts: number; timeoutMs: number; backoffMs: number },
): Promise<string | null> {
  let failure = "not attempted";
  for (let attempt = 1; attempt <= delivery.attempts; attempt++) {
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(delivery.timeoutMs),
        redirect: "error",
      });
      await response.arrayBuffer().catch(() => undefined); // drain it so the connection is released
      if (response.ok) return null;
      failure = `HTTP ${response.status}`;
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      failure =
        error instanceof Error && error.name === "TimeoutError"
          ? `no answer within ${delivery.timeoutMs} ms`
          : (cause?.code ?? cause?.message ?? (error as Error).message);
    }
    if (attempt < delivery.attempts)
      await new Promise((resolve) => setTimeout(resolve, delivery.backoffMs * 2 ** (attempt - 1)));
  }
  return failure;
}
