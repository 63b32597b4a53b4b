// The marks a shell block on a guide page carries in its code-fence meta, read by `npm run
// docs:verify` (scripts/docs-verify.ts) and by the Expressive Code plugin (ec-verify-markers.ts),
// which keeps the rendered page honest about them:
//
//   ```sh verify            docs:verify runs the block against a throwaway stack
//   ```sh verify=bare       the same, in a shell without the stack's variables (a fresh terminal)
//   ```sh norun="reason"    cannot run here (production host, cloud CLI, sudo); the page shows
//                           "Not run by docs:verify: reason" above the block, and it is counted apart
//
// Expressive Code ignores meta words it does not know, so `verify` renders unchanged; the plugin
// removes both marks from the meta so no other plugin mistakes them for its own, and turns
// `norun` into the block's visible title. (A remark plugin cannot do it: Astro 7's default
// Markdown processor no longer runs `markdown.remarkPlugins` without @astrojs/markdown-remark.)

export type VerifyMarker =
  | { kind: "verify"; bare: boolean }
  | { kind: "norun"; reason: string }
  | { kind: "none" };

const META_WORD = /([A-Za-z][\w-]*)(?:=(?:"([^"]*)"|'([^']*)'|(\S+)))?/g;

interface MetaWord {
  key: string;
  value: string | undefined;
  start: number;
  end: number;
}

function metaWords(meta: string): MetaWord[] {
  const words: MetaWord[] = [];
  for (const m of meta.matchAll(META_WORD)) {
    // Only words that start a token (not the inside of another word's quoted value).
    const before = meta.slice(0, m.index);
    const quotes = (before.match(/"/g) ?? []).length;
    if (quotes % 2 === 1) continue;
    if (m.index > 0 && !/\s/.test(meta[m.index - 1] ?? "")) continue;
    words.push({
      key: m[1] ?? "",
      value: m[2] ?? m[3] ?? m[4],
      start: m.index,
      end: m.index + m[0].length,
    });
  }
  return words;
}

/** The docs:verify mark in a code fence's meta string; throws on a malformed one. */
export function parseVerifyMarker(meta: string | null | undefined): VerifyMarker {
  const words = metaWords(meta ?? "");
  const verify = words.find((w) => w.key === "verify");
  const norun = words.find((w) => w.key === "norun");
  if (verify && norun) throw new Error(`a block is marked both verify and norun ("${meta}"): keep one`);
  if (verify) {
    if (verify.value !== undefined && verify.value !== "bare") {
      throw new Error(`unknown verify option "${verify.value}" in "${meta}": use verify or verify=bare`);
    }
    return { kind: "verify", bare: verify.value === "bare" };
  }
  if (norun) {
    if (!norun.value) {
      throw new Error(`norun needs a reason, e.g. norun="needs the production host" (in "${meta}")`);
    }
    return { kind: "norun", reason: norun.value };
  }
  return { kind: "none" };
}

export const NORUN_CAPTION = "Not run by docs:verify";

/** The meta Expressive Code should see: the marks removed, `norun` shown as the block's title. */
export function renderedMeta(meta: string): string {
  const marker = parseVerifyMarker(meta);
  if (marker.kind === "none") return meta;
  let rest = meta;
  for (const word of metaWords(meta).reverse()) {
    if (word.key === "verify" || word.key === "norun")
      rest = rest.slice(0, word.start) + rest.slice(word.end);
  }
  rest = rest.replace(/\s+/g, " ").trim();
  if (marker.kind === "verify") return rest;
  const caption = `${NORUN_CAPTION}: ${marker.reason}`.replace(/"/g, "'");
  const title = metaWords(rest).find((w) => w.key === "title");
  if (!title) return `${rest} title="${caption}"`.trim();
  const withCaption = `title="${(title.value ?? "").replace(/"/g, "'")} (${caption})"`;
  return rest.slice(0, title.start) + withCaption + rest.slice(title.end);
}
