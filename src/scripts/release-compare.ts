import { API, CONSOLE_MARKER, type ReleasesResponse } from "../../console/protocol.ts";
import { getJson } from "./console-api.ts";

// Under the footer's version line, on pages the console serves: how the handbook's commit relates
// to the release each environment runs ("2 commits ahead of production's release"), or why that
// is unknown. A static copy of the handbook has no console to ask and shows the commit only.

async function showReleases(): Promise<void> {
  const line = document.querySelector<HTMLElement>(".handbook-version");
  if (!line || !document.querySelector(CONSOLE_MARKER)) return;
  const list = document.createElement("ul");
  list.className = "handbook-releases";
  line.after(list);
  try {
    const answer = await getJson<ReleasesResponse>(API.releases(line.dataset.commit || null));
    for (const env of answer.environments) {
      const item = document.createElement("li");
      item.dataset.env = env.env;
      item.dataset.state = env.state;
      item.textContent = env.summary;
      list.append(item);
    }
  } catch (error) {
    const item = document.createElement("li");
    item.dataset.state = "unknown";
    item.textContent = `Which release each environment runs is unknown: ${error instanceof Error ? error.message : String(error)}`;
    list.append(item);
  }
}

void showReleases();
