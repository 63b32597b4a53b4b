// Asks a Prometheus server (its HTTP API) for instant queries: what slo-report needs to read the
// SLIs and budgets Prometheus computes over a whole window, across the app's restarts.

export class PrometheusError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PrometheusError";
  }
}

export interface PrometheusClient {
  /** The server's address without credentials, for messages. */
  readonly origin: string;
  /**
   * One instant query: the value of a single-series result, or null when the result is empty (no
   * data in the window). A result with several series is an error: the SLO queries aggregate.
   */
  scalar(query: string, at?: Date): Promise<number | null>;
}

/**
 * A client for the Prometheus at `url`. Credentials in the URL (`https://user:pass@host`) are sent
 * as basic auth, since fetch refuses URLs that carry them; `secret` learns the password first so no
 * output shows it.
 */
export function prometheusClient(
  url: string,
  options: { timeoutMs: number; signal?: AbortSignal; secret?: (value: string) => void },
): PrometheusClient {
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    throw new PrometheusError(`the Prometheus URL is not a URL: "${url}"`);
  }
  if (base.protocol !== "http:" && base.protocol !== "https:")
    throw new PrometheusError(`the Prometheus URL must be http or https, not ${base.protocol}`);
  const headers: Record<string, string> = { accept: "application/json" };
  if (base.username || base.password) {
    const user = decodeURIComponent(base.username);
    const password = decodeURIComponent(base.password);
    if (password) options.secret?.(password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
    base.username = "";
    base.password = "";
  }
  const root = base.href.endsWith("/") ? base.href : `${base.href}/`;
  const origin = base.origin + base.pathname.replace(/\/$/, "");
  return {
    origin,
    async scalar(query, at) {
      const body = new URLSearchParams({ query });
      if (at) body.set("time", String(at.getTime() / 1000));
      const signals = [AbortSignal.timeout(options.timeoutMs)];
      if (options.signal) signals.push(options.signal);
      let res: Response;
      try {
        res = await fetch(new URL("api/v1/query", root), {
          method: "POST",
          headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
          body,
          signal: AbortSignal.any(signals),
        });
      } catch (error) {
        const why =
          error instanceof Error
            ? error.cause instanceof Error
              ? error.cause.message
              : error.message
            : String(error);
        throw new PrometheusError(`Prometheus at ${origin} did not answer: ${why}`);
      }
      const text = await res.text();
      let parsed: {
        status?: string;
        error?: string;
        data?: { resultType?: string; result?: Array<{ value?: [number, string] }> | [number, string] };
      };
      try {
        parsed = JSON.parse(text) as typeof parsed;
      } catch {
        throw new PrometheusError(
          `Prometheus at ${origin} answered ${res.status} with something other than JSON: ${text.slice(0, 200)}`,
        );
      }
      if (parsed.status !== "success")
        throw new PrometheusError(
          `Prometheus at ${origin} refused the query (${res.status}): ${parsed.error ?? text.slice(0, 200)}`,
        );
      const data = parsed.data;
      if (data?.resultType === "scalar" && Array.isArray(data.result))
        return Number((data.result as [number, string])[1]);
      const result = (data?.result ?? []) as Array<{ value?: [number, string] }>;
      if (result.length === 0) return null;
      if (result.length > 1)
        throw new PrometheusError(`the query gave ${result.length} series, expected one: ${query}`);
      return Number(result[0]?.value?.[1]);
    },
  };
}
