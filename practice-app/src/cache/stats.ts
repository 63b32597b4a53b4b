/** What the cache layer reports about itself; the HTTP layer turns it into Prometheus metrics. */
export interface CacheStats {
  hit(cache: string): void;
  miss(cache: string): void;
  fallback(cache: string): void;
}

export const noCacheStats: CacheStats = { hit() {}, miss() {}, fallback() {} };
