import type { SeriesPoint } from "../../load-tests/lib/summary.ts";

// Geometry of the load-test chart (LoadTestChart.astro): latency percentiles and throughput over
// a run, as SVG path data. Pure, so the component stays markup.

/** The colour of each line, for the measured charts (LoadTestChart.astro) and the one drawn after a page run. */
export const CHART_COLOURS = {
  p50: "#2f9e44",
  p95: "#1971c2",
  p99: "#c2255c",
  throughput: "#868e96",
  vus: "#e8590c",
  threshold: "#e03131",
} as const;

export interface ChartGeometry {
  width: number;
  height: number;
  /** Plot area inside the axes. */
  plot: { left: number; top: number; right: number; bottom: number };
  latencyMaxMs: number;
  throughputMax: number;
  durationS: number;
  lines: { p50: string; p95: string; p99: string; throughput: string; vus: string };
  thresholdY: number;
  /** True when some p99 points are above the latency axis and drawn at its top. */
  clipped: boolean;
  xTicks: { x: number; label: string }[];
  latencyTicks: { y: number; label: string }[];
  throughputTicks: { y: number; label: string }[];
}

function niceCeil(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

/** The axes' ranges of a chart; two runs drawn on one chart share them (chartScale of both). */
export interface ChartScale {
  durationS: number;
  latencyMaxMs: number;
  throughputMax: number;
}

/** The ranges that fit every run given, so their lines can be overlaid. */
export function chartScale(
  runs: ReadonlyArray<{ series: readonly SeriesPoint[]; bucketS: number }>,
  thresholdMs: number,
): ChartScale {
  const durationS = Math.max(...runs.map((r) => Math.max(r.bucketS, r.series.length * r.bucketS)));
  const maxP95 = Math.max(0, ...runs.flatMap((r) => r.series.map((p) => p.p95 ?? 0)));
  return {
    durationS,
    latencyMaxMs: niceCeil(Math.max(thresholdMs * 1.5, maxP95 * 1.1)),
    throughputMax: niceCeil(
      Math.max(1, ...runs.flatMap((r) => r.series.flatMap((p) => [p.requests / r.bucketS, p.vus]))),
    ),
  };
}

export function chartGeometry(
  series: readonly SeriesPoint[],
  bucketS: number,
  thresholdMs: number,
  scale: ChartScale = chartScale([{ series, bucketS }], thresholdMs),
): ChartGeometry {
  const width = 720;
  const height = 300;
  const plot = { left: 56, top: 16, right: width - 56, bottom: height - 36 };
  const { durationS, latencyMaxMs, throughputMax } = scale;
  const x = (t: number) => plot.left + ((t + bucketS / 2) / durationS) * (plot.right - plot.left);
  const yLatency = (ms: number) =>
    plot.bottom - (Math.min(ms, latencyMaxMs) / latencyMaxMs) * (plot.bottom - plot.top);
  const yThroughput = (v: number) => plot.bottom - (v / throughputMax) * (plot.bottom - plot.top);
  const path = (value: (p: SeriesPoint) => number | null, y: (v: number) => number) => {
    let d = "";
    let pen = "M";
    for (const point of series) {
      const v = value(point);
      if (v === null) {
        pen = "M";
        continue;
      }
      d += `${pen}${x(point.t).toFixed(1)},${y(v).toFixed(1)} `;
      pen = "L";
    }
    return d.trim();
  };
  const tickStep = niceCeil(durationS / 6);
  const xTicks = [];
  for (let t = 0; t <= durationS; t += tickStep)
    xTicks.push({ x: plot.left + (t / durationS) * (plot.right - plot.left), label: `${t} s` });
  const ticks = (max: number, y: (v: number) => number, unit: string) =>
    [0, 0.25, 0.5, 0.75, 1].map((f) => ({ y: y(max * f), label: `${Math.round(max * f)}${unit}` }));
  return {
    width,
    height,
    plot,
    latencyMaxMs,
    throughputMax,
    durationS,
    lines: {
      p50: path((p) => p.p50, yLatency),
      p95: path((p) => p.p95, yLatency),
      p99: path((p) => p.p99, yLatency),
      throughput: path((p) => p.requests / bucketS, yThroughput),
      vus: path((p) => p.vus, yThroughput),
    },
    thresholdY: yLatency(thresholdMs),
    clipped: series.some((p) => (p.p99 ?? 0) > latencyMaxMs),
    xTicks,
    latencyTicks: ticks(latencyMaxMs, yLatency, " ms"),
    throughputTicks: ticks(throughputMax, yThroughput, ""),
  };
}
