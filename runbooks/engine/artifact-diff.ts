import {
  asComparableSummary,
  type BaselineComparison,
  compareWithBaseline,
} from "../../policy/load-comparison.ts";
import type { ArtifactViewer } from "./define.ts";

// What a run diff says about an artifact both runs left, chosen by the viewer the runbook declares
// for it (as the page's viewers are), never by the runbook's name: a load-test summary is compared
// measure by measure with the load tests' own verdicts (A as the baseline); any other text by its
// lines.

export type ArtifactComparison =
  | { kind: "load-test"; comparison: BaselineComparison }
  | { kind: "lines"; onlyA: number; onlyB: number; sample: { onlyA: string[]; onlyB: string[] } }
  | { kind: "unreadable"; reason: string };

/** Lines listed per side, at most: the page and the terminal show a sample, the files have the rest. */
const SAMPLE_LINES = 5;

export function compareArtifact(
  viewer: ArtifactViewer | undefined,
  a: string,
  b: string,
  baselineName: string,
): ArtifactComparison | undefined {
  if (a === b) return undefined;
  if (viewer === "load-chart") {
    try {
      return {
        kind: "load-test",
        comparison: compareWithBaseline(
          asComparableSummary(JSON.parse(b), "run B's summary"),
          asComparableSummary(JSON.parse(a), "run A's summary"),
          baselineName,
        ),
      };
    } catch (error) {
      return { kind: "unreadable", reason: error instanceof Error ? error.message : String(error) };
    }
  }
  // Lines counted as multisets: which lines one run has more of than the other.
  const count = (text: string) => {
    const counts = new Map<string, number>();
    for (const line of text.split("\n")) counts.set(line, (counts.get(line) ?? 0) + 1);
    return counts;
  };
  const ca = count(a);
  const cb = count(b);
  const surplus = (x: Map<string, number>, y: Map<string, number>) => {
    const lines: string[] = [];
    for (const [line, n] of x) for (let i = y.get(line) ?? 0; i < n; i++) lines.push(line);
    return lines;
  };
  const onlyA = surplus(ca, cb);
  const onlyB = surplus(cb, ca);
  return {
    kind: "lines",
    onlyA: onlyA.length,
    onlyB: onlyB.length,
    sample: { onlyA: onlyA.slice(0, SAMPLE_LINES), onlyB: onlyB.slice(0, SAMPLE_LINES) },
  };
}
