// Masks secrets in everything a run prints or stores: known secret values, passwords inside
// connection URLs, and bearer tokens.

// The password part stops at "/" so paths like http://host:9/@scope/pkg are not mistaken for one.
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)([^@\s/]+)@/gi;
const BEARER = /(Bearer\s+)[A-Za-z0-9._~+/-]{8,}=*/gi;
const MASK = "***";

export class Masker {
  private readonly secrets = new Set<string>();

  add(value: string | null | undefined): void {
    // Short values would mask ordinary words; secrets that short are not secrets.
    if (value && value.length >= 6) this.secrets.add(value);
  }

  /** Adds the password of a connection URL, if it has one. */
  addUrl(url: string | null | undefined): void {
    if (!url) return;
    try {
      const parsed = new URL(url);
      if (parsed.password) this.add(decodeURIComponent(parsed.password));
    } catch {
      // Not a URL: nothing to extract; the pattern below still masks URL-shaped text.
    }
  }

  /** The values of secret-looking variables (names with SECRET, PASSWORD or TOKEN) in an environment. */
  addSecretsOf(processEnv: NodeJS.ProcessEnv): void {
    for (const [key, value] of Object.entries(processEnv)) {
      if (/SECRET|PASSWORD|TOKEN/i.test(key) && value) this.add(value);
    }
  }

  mask(text: string): string {
    let out = text;
    // Known values first, longest first, so a secret containing another (a whole URL resolved from
    // a secret reference, with its password) is masked whole before the patterns cut into it.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      out = out.split(secret).join(MASK);
    }
    return out.replace(URL_PASSWORD, `$1${MASK}@`).replace(BEARER, `$1${MASK}`);
  }

  maskValue<T>(value: T): T {
    return JSON.parse(this.mask(JSON.stringify(value ?? null))) as T;
  }
}
