// Loads a step's source when the reader opens it: the runbook's highlighted sources are one
// small page (/runbook-source/<id>/), fetched once per runbook. A page built from another version
// of the runbook than the source page says so instead of showing a mismatch.

const loaded = new Map<string, Promise<Document>>();

function sourcesOf(url: string): Promise<Document> {
  let page = loaded.get(url);
  if (!page) {
    page = fetch(url).then(async (response) => {
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
      return new DOMParser().parseFromString(await response.text(), "text/html");
    });
    page.catch(() => loaded.delete(url));
    loaded.set(url, page);
  }
  return page;
}

async function show(details: HTMLDetailsElement): Promise<void> {
  const target = details.querySelector<HTMLElement>(".step-source");
  if (!target || target.dataset.loaded === "true") return;
  const section = details.closest<HTMLElement>("section[data-runbook]");
  const url = target.dataset.sourceUrl ?? "";
  const step = target.dataset.step ?? "";
  try {
    const page = await sourcesOf(url);
    if (page.body.dataset.sourceHash !== section?.dataset.sourceHash)
      throw new Error(
        "this page was built from another version of the runbook; rebuild the handbook (npm run build)",
      );
    const code = page.querySelector(`section[data-step="${CSS.escape(step)}"] .expressive-code`);
    if (!code) throw new Error(`no step "${step}" in ${url}`);
    target.replaceChildren(document.importNode(code, true));
    target.dataset.loaded = "true";
  } catch (error) {
    const note = document.createElement("p");
    note.className = "source-error";
    note.textContent = `Could not load the source: ${error instanceof Error ? error.message : String(error)}.`;
    target.replaceChildren(note);
  }
}

for (const details of document.querySelectorAll<HTMLDetailsElement>("details.step-source-details")) {
  details.addEventListener("toggle", () => {
    if (details.open) void show(details);
  });
  if (details.open) void show(details);
}
