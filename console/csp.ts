import { createHash } from "node:crypto";
import { PAGE_POLICY_DIRECTIVES } from "./protocol.ts";

// The Content-Security-Policy of everything the console serves. Scripts run only from the
// console's own origin or as the exact inline scripts the handbook was built with (each allowed
// by its sha256), never 'unsafe-inline' or 'unsafe-eval'; a script injected into a page, or an
// inline one changed after the build, does not run. Search (Pagefind) compiles WebAssembly, which
// 'wasm-unsafe-eval' allows without allowing eval. Styles may be inline: Starlight and the code
// blocks set style attributes, and a style cannot run code.

// The directives live in protocol.ts, the contract with the page, so the handbook can show them.
export { NON_PAGE_POLICY } from "./protocol.ts";

const INLINE_SCRIPT = /<script\b(?![^>]*\bsrc\s*=)[^>]*>([\s\S]*?)<\/script>/gi;

/** 'sha256-…' sources for every inline script of a page, in order, without repeats. */
export function inlineScriptHashes(html: string): string[] {
  const hashes = new Set<string>();
  for (const [, body = ""] of html.matchAll(INLINE_SCRIPT)) {
    hashes.add(`'sha256-${createHash("sha256").update(body, "utf8").digest("base64")}'`);
  }
  return [...hashes];
}

export function pagePolicy(html: string): string {
  const hashes = inlineScriptHashes(html).join(" ");
  return PAGE_POLICY_DIRECTIVES.map((directive) =>
    directive.startsWith("script-src ") ? `${directive} ${hashes}`.trim() : directive,
  ).join("; ");
}
