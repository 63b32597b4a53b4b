// What a CDN (the outline puts Cloudflare in front) may cache, as the Cache-Control headers the app
// and the console send. The app cannot import the policy (it imports nothing of the handbook), so
// it declares the same values itself; tests/runbooks/cdn.test.ts fetches from both and compares
// with these. Pure data.

export const CACHE_CONTROL = {
  /**
   * Files whose name carries a hash of their content (the learner page's /assets/<name>.<hash>.js,
   * the handbook's /_astro/*): a new version has a new name, so a copy never goes stale.
   */
  hashedAsset: "public, max-age=31536000, immutable",
  /**
   * HTML and files whose name does not change (the learner page, handbook pages, search index):
   * a CDN or browser may keep a copy but must revalidate it (ETag) before using it, so a deploy is
   * seen at once.
   */
  revalidate: "no-cache",
  /** API answers, health, metrics, the console's API: never stored anywhere. */
  private: "no-store",
} as const;

/** Cloudflare's API, for the cdn-purge runbook (runbooks/deployment/cdn-purge.ts). */
export const CDN_PURGE = {
  /** Cloudflare's documented API base. */
  apiBase: "https://api.cloudflare.com/client/v4",
  /** At most this many URLs in one purge-by-URL request (Cloudflare's documented limit). */
  maxFilesPerRequest: 30,
  /** Paths purged after a deploy: the names that do not change. Hashed assets never need a purge. */
  deployPaths: ["/"],
} as const;
