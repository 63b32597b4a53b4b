import type { LoadSummary } from "../../load-tests/lib/summary.ts";
import { SLO } from "../../policy/index.ts";
import {
  type ChartGeometry,
  CHART_COLOURS as COLOURS,
  chartGeometry,
  chartScale,
} from "../lib/load-chart.ts";

// The load-chart viewer of run artifacts (artifact-viewers.ts): a load-test summary drawn as the Scaling Guide's
// charts are (same geometry, lib/load-chart.ts), under the runbook: latency percentiles and
// throughput over the run with the p95 objective, and the figures as text.

const SVG = "http://www.w3.org/2000/svg";

function svg(tag: string, attributes: Record<string, string | number>, text?: string): SVGElement {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

export function drawLoadChart(summary: LoadSummary): HTMLElement {
  const g = chartGeometry(summary.series, summary.bucketS, SLO.latencyP95Ms);
  const figure = document.createElement("figure");
  figure.className = "load-test-last";
  figure.dataset.profile = summary.profile;
  const chart = svg("svg", {
    viewBox: `0 0 ${g.width} ${g.height}`,
    role: "img",
    width: "100%",
  }) as SVGSVGElement;
  chart.append(
    svg("title", {}, `Latency and throughput of the ${summary.profile} run started ${summary.startedAt}`),
  );
  const axis = { stroke: "currentColor", "stroke-width": 1 };
  chart.append(
    svg("line", { x1: g.plot.left, y1: g.plot.bottom, x2: g.plot.right, y2: g.plot.bottom, ...axis }),
    svg("line", { x1: g.plot.left, y1: g.plot.top, x2: g.plot.left, y2: g.plot.bottom, ...axis }),
    svg("line", { x1: g.plot.right, y1: g.plot.top, x2: g.plot.right, y2: g.plot.bottom, ...axis }),
  );
  const label = { fill: "currentColor", "font-size": 11 };
  for (const t of g.xTicks)
    chart.append(svg("text", { x: t.x, y: g.plot.bottom + 16, "text-anchor": "middle", ...label }, t.label));
  for (const t of g.latencyTicks)
    chart.append(svg("text", { x: g.plot.left - 6, y: t.y + 4, "text-anchor": "end", ...label }, t.label));
  for (const t of g.throughputTicks)
    chart.append(svg("text", { x: g.plot.right + 6, y: t.y + 4, ...label }, t.label));
  const line = (name: keyof ChartGeometry["lines"], width: number, dash?: string) =>
    svg("path", {
      class: name,
      d: g.lines[name] || "M0,0",
      fill: "none",
      stroke: COLOURS[name],
      "stroke-width": width,
      ...(dash ? { "stroke-dasharray": dash } : {}),
    });
  chart.append(
    line("vus", 1.5, "2 3"),
    line("throughput", 1.5),
    svg("line", {
      class: "threshold",
      x1: g.plot.left,
      x2: g.plot.right,
      y1: g.thresholdY,
      y2: g.thresholdY,
      stroke: COLOURS.threshold,
      "stroke-width": 1.5,
      "stroke-dasharray": "6 4",
    }),
    svg(
      "text",
      { x: g.plot.left + 4, y: g.thresholdY - 4, ...label },
      `p95 objective ${SLO.latencyP95Ms} ms`,
    ),
    line("p99", 1.5),
    line("p95", 2),
    line("p50", 2),
  );
  const practice = summary.metrics["http_req_duration{kind:practice}"];
  const failed = summary.metrics.http_req_failed;
  const ms = (v: number | null | undefined) => (v === null || v === undefined ? "–" : `${v.toFixed(1)} ms`);
  const caption = document.createElement("figcaption");
  caption.textContent = [
    `This run of the load-test runbook: ${summary.profile} (${summary.variant}) with ${summary.tool}, ${Math.round(summary.durationS)} s, started ${summary.startedAt}.`,
    `Practice calls p50 ${ms(practice?.p50)}, p95 ${ms(practice?.p95)}, p99 ${ms(practice?.p99)};`,
    `errors ${failed?.rate === null || failed?.rate === undefined ? "–" : `${(failed.rate * 100).toFixed(2)}%`};`,
    summary.passed
      ? "all thresholds pass."
      : `failed: ${summary.thresholds
          .filter((t) => !t.ok)
          .map((t) => `${t.metric} ${t.expression}`)
          .join("; ")}.`,
    "Lines: p50 green, p95 blue, p99 red, requests/s grey, learners orange (right axis).",
  ].join(" ");
  figure.append(chart, caption);
  return figure;
}

/**
 * Two runs on one chart (the run diff's "compare with previous"): the same axes for both, A's
 * lines dashed and B's solid, p95 of practice calls and requests per second, with the objective.
 */
export function drawLoadOverlay(
  a: LoadSummary,
  b: LoadSummary,
  names: { a: string; b: string },
): HTMLElement {
  const scale = chartScale([a, b], SLO.latencyP95Ms);
  const ga = chartGeometry(a.series, a.bucketS, SLO.latencyP95Ms, scale);
  const gb = chartGeometry(b.series, b.bucketS, SLO.latencyP95Ms, scale);
  const figure = document.createElement("figure");
  figure.className = "load-test-overlay";
  const chart = svg("svg", { viewBox: `0 0 ${gb.width} ${gb.height}`, role: "img", width: "100%" });
  chart.append(
    svg("title", {}, `p95 and throughput of ${names.a} (dashed) and ${names.b} (solid) on the same axes`),
  );
  const axis = { stroke: "currentColor", "stroke-width": 1 };
  const label = { fill: "currentColor", "font-size": 11 };
  chart.append(
    svg("line", { x1: gb.plot.left, y1: gb.plot.bottom, x2: gb.plot.right, y2: gb.plot.bottom, ...axis }),
    svg("line", { x1: gb.plot.left, y1: gb.plot.top, x2: gb.plot.left, y2: gb.plot.bottom, ...axis }),
    svg("line", { x1: gb.plot.right, y1: gb.plot.top, x2: gb.plot.right, y2: gb.plot.bottom, ...axis }),
  );
  for (const t of gb.xTicks)
    chart.append(svg("text", { x: t.x, y: gb.plot.bottom + 16, "text-anchor": "middle", ...label }, t.label));
  for (const t of gb.latencyTicks)
    chart.append(svg("text", { x: gb.plot.left - 6, y: t.y + 4, "text-anchor": "end", ...label }, t.label));
  for (const t of gb.throughputTicks)
    chart.append(svg("text", { x: gb.plot.right + 6, y: t.y + 4, ...label }, t.label));
  const line = (g: ChartGeometry, name: "p95" | "throughput", run: "a" | "b") =>
    svg("path", {
      class: `${name} run-${run}`,
      d: g.lines[name] || "M0,0",
      fill: "none",
      stroke: COLOURS[name],
      "stroke-width": run === "b" ? 2 : 1.5,
      ...(run === "a" ? { "stroke-dasharray": "5 4", opacity: 0.8 } : {}),
    });
  chart.append(
    svg("line", {
      class: "threshold",
      x1: gb.plot.left,
      x2: gb.plot.right,
      y1: gb.thresholdY,
      y2: gb.thresholdY,
      stroke: COLOURS.threshold,
      "stroke-width": 1.5,
      "stroke-dasharray": "6 4",
    }),
    line(ga, "throughput", "a"),
    line(gb, "throughput", "b"),
    line(ga, "p95", "a"),
    line(gb, "p95", "b"),
  );
  const caption = document.createElement("figcaption");
  caption.textContent = `${names.a} dashed, ${names.b} solid: p95 of practice calls blue (left axis, ms), requests/s grey (right axis); the red dashed line is the p95 objective of ${SLO.latencyP95Ms} ms. The verdicts above give the figures.`;
  figure.append(chart, caption);
  return figure;
}
