import path from "node:path";

// Where a process's CPU time went, from a V8 .cpuprofile (node --cpu-prof): each sample's time is
// charged to the function on top of the stack (self time), and functions are grouped by where
// their code lives, so a profile of a benchmark answers "how much is tRPC, the session check,
// PostgreSQL's client, JSON, logging, Node's HTTP" per request. Pure: the caller reads the file.

export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Share {
  name: string;
  ms: number;
  /** Of the busy time (everything but idle). */
  share: number;
}

export interface Breakdown {
  busyMs: number;
  idleMs: number;
  groups: Share[];
  topFunctions: Share[];
}

/** The group a function's time is charged to, from its script's URL. */
export function groupOf(callFrame: { functionName: string; url: string }, root: string): string {
  const { url, functionName } = callFrame;
  if (url === "") {
    if (functionName === "(garbage collector)") return "garbage collection";
    if (
      /^(writev|writeUtf8String|writeBuffer|writeLatin1String|writeAsciiString|readStart|readStop)$/.test(
        functionName,
      )
    )
      return "Node: socket reads and writes (native)";
    if (
      /^(compileSourceTextModule|compileFunction|internalModuleStat|readFileUtf8|realpath|lstat|open|read)$/.test(
        functionName,
      )
    )
      return "loading modules (start-up)";
    if (functionName === "(program)" || functionName === "(root)") return "V8 and native (program)";
    if (/^(parse|stringify)$/.test(functionName)) return "JSON (native)";
    return "native built-ins";
  }
  if (url.startsWith("node:")) {
    const module = url.slice(5).replace(/^internal\//, "");
    if (/^(modules|vm|bootstrap|main|source_map|fs)/.test(module)) return "loading modules (start-up)";
    if (/^(http|_http|url)/.test(module)) return "Node: HTTP";
    if (/^(net|stream|streams|dns)/.test(module) || module.startsWith("stream"))
      return "Node: sockets and streams";
    if (/^(crypto)/.test(module)) return "Node: crypto";
    if (/^(timers|process|async_hooks|event_target|events)/.test(module))
      return "Node: timers, events, async context";
    return "Node: other";
  }
  const file = url.startsWith("file://") ? decodeURIComponent(new URL(url).pathname) : url;
  const modules = file.lastIndexOf("/node_modules/");
  if (modules >= 0 && /\/node_modules\/(jiti|amaro|typescript)\//.test(file))
    return "loading modules (start-up)";
  if (modules >= 0) {
    const parts = file.slice(modules + "/node_modules/".length).split("/");
    const name = parts[0]?.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] ?? "?");
    return `package: ${name}`;
  }
  const relative = path.relative(root, file);
  if (relative.startsWith("practice-app/src/")) {
    const dir = relative.slice("practice-app/src/".length).split("/");
    return `app: ${dir.length > 1 ? dir[0] : dir[0]?.replace(/\.ts$/, "")}`;
  }
  return "other";
}

export function breakdown(profile: CpuProfile, root: string, top = 15): Breakdown {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  let idleUs = 0;
  const groups = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    if (frame.functionName === "(idle)") {
      idleUs += us;
      continue;
    }
    const group = groupOf(frame, root);
    groups.set(group, (groups.get(group) ?? 0) + us);
    const where = frame.url ? `${path.basename(frame.url)}:${frame.lineNumber + 1}` : "native";
    const name = `${frame.functionName || "(anonymous)"} (${where})`;
    functions.set(name, (functions.get(name) ?? 0) + us);
  }
  const busyUs = [...groups.values()].reduce((a, b) => a + b, 0);
  const shares = (table: Map<string, number>) =>
    [...table.entries()]
      .map(([name, us]) => ({
        name,
        ms: Math.round(us / 1000),
        share: busyUs > 0 ? Math.round((us / busyUs) * 1000) / 1000 : 0,
      }))
      .sort((a, b) => b.ms - a.ms);
  return {
    busyMs: Math.round(busyUs / 1000),
    idleMs: Math.round(idleUs / 1000),
    groups: shares(groups),
    topFunctions: shares(functions).slice(0, top),
  };
}
