import { API, type ArtifactDeclaration, type ArtifactViewer } from "../../console/protocol.ts";
import type { LoadSummary } from "../../load-tests/lib/summary.ts";
import { ApiError, getText } from "./console-api.ts";
import { drawLoadChart } from "./load-chart-view.ts";

// The page's viewers for run artifacts, chosen by the viewer the runbook declares (catalog), never
// by the runbook's name. Each viewer turns the artifact's text into an element; text is set as
// text, never as HTML.

const VIEWERS: { [K in ArtifactViewer]: (text: string, artifact: ArtifactDeclaration) => HTMLElement } = {
  "load-chart": (text) => drawLoadChart(JSON.parse(text) as LoadSummary),
  text: (text, artifact) => {
    const figure = document.createElement("figure");
    const caption = document.createElement("figcaption");
    caption.textContent = artifact.title;
    const pre = document.createElement("pre");
    pre.className = "artifact-text";
    pre.tabIndex = 0;
    pre.textContent = text;
    figure.append(caption, pre);
    return figure;
  },
};

/** Fetches one artifact of a run and shows it after `anchor` with its viewer (or `fallback`). */
export async function showArtifact(
  anchor: HTMLElement,
  runId: string,
  artifact: ArtifactDeclaration,
  fallback: ArtifactViewer = "text",
  options: { quietWhenMissing?: boolean } = {},
): Promise<void> {
  let element: HTMLElement;
  try {
    const text = await getText(API.artifact(runId, artifact.name));
    element = VIEWERS[artifact.viewer ?? fallback](text, artifact);
  } catch (error) {
    if (options.quietWhenMissing && error instanceof ApiError && error.status === 404) return;
    element = document.createElement("p");
    element.textContent = `No ${artifact.title.toLowerCase()}: ${error instanceof Error ? error.message : String(error)}`;
  }
  element.classList.add("run-artifact");
  element.dataset.artifact = artifact.name;
  element.dataset.runId = runId;
  anchor.parentElement?.querySelector(`.run-artifact[data-artifact="${artifact.name}"]`)?.remove();
  anchor.after(element);
}
