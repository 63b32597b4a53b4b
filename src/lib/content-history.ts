import { execFileSync } from "node:child_process";

// The "What changed" page's data: the git history of src/content, read at build time. A build
// without that history (an image build copies no .git, a shallow checkout has one commit) says so
// instead of failing: the page then explains where to find the history.

export interface PageChange {
  /** src/content/docs/… as committed. */
  file: string;
  /** The page's address when it still exists, null for a removed or renamed-away page. */
  href: string | null;
}

export interface ContentCommit {
  hash: string;
  /** YYYY-MM-DD, the author date. */
  date: string;
  subject: string;
  pages: PageChange[];
}

export type ContentHistory =
  | { available: true; commits: ContentCommit[]; shallow: boolean; total: number }
  | { available: false; reason: string };

const DOCS = "src/content/docs/";
const SEPARATOR = "\u001e";

/** `src/content/docs/incident-response/index.mdx` → `/incident-response/`. */
export function pageHref(file: string): string | null {
  if (!file.startsWith(DOCS) || !/\.mdx?$/.test(file)) return null;
  const slug = file
    .slice(DOCS.length)
    .replace(/\.mdx?$/, "")
    .replace(/(^|\/)index$/, "");
  return slug ? `/${slug}/` : "/";
}

/** Parses `git log --format=%x1e%H%x09%ad%x09%s --name-only` output. */
export function parseLog(output: string, exists: (file: string) => boolean): ContentCommit[] {
  return output
    .split(SEPARATOR)
    .map((chunk) => chunk.trim())
    .filter(Boolean)
    .map((chunk) => {
      const [head = "", ...files] = chunk.split("\n").filter((line) => line.trim() !== "");
      const [hash = "", date = "", ...subject] = head.split("\t");
      return {
        hash,
        date,
        subject: subject.join("\t"),
        pages: files
          .filter((file) => file.startsWith("src/content/"))
          .map((file) => ({ file, href: exists(file) ? pageHref(file) : null })),
      };
    });
}

function git(args: string[], cwd: string): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 32 << 20,
  });
}

/** The newest `limit` commits that touched src/content (merges left out: their branches' commits say what moved). */
export function contentHistory(options: {
  cwd?: string;
  limit?: number;
  exists: (file: string) => boolean;
}): ContentHistory {
  const cwd = options.cwd ?? process.cwd();
  const limit = options.limit ?? 80;
  try {
    const total = Number(
      git(["rev-list", "--count", "--no-merges", "HEAD", "--", "src/content"], cwd).trim(),
    );
    const shallow = git(["rev-parse", "--is-shallow-repository"], cwd).trim() === "true";
    const output = git(
      [
        "log",
        "--no-merges",
        `--max-count=${limit}`,
        "--date=short",
        `--format=${SEPARATOR}%H%x09%ad%x09%s`,
        "--name-only",
        "--",
        "src/content",
      ],
      cwd,
    );
    return { available: true, commits: parseLog(output, options.exists), shallow, total };
  } catch (error) {
    // Expected outside a git checkout (a source tarball, an image build without .git) or without git.
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return { available: false, reason: message ?? "git failed" };
  }
}
