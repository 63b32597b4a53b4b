import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CLIENT_ADDRESS_HEADER } from "../lib/journey.ts";

// The benchmark-only proxy that gives every virtual learner its own client address. The generator
// cannot bind a source address per learner (autocannon has no localAddress), so it names the
// learner's address in a header (lib/journey.ts), and this private nginx, trusting that header
// from the generator's own address only (set_real_ip_from), makes it the client address and
// forwards it to the app as X-Forwarded-For, the way the production nginx forwards a real one.
// The app must run with TRUST_PROXY=true behind it, as it does behind the production nginx; the
// limits stay on. Never put this in front of a real deployment: anyone on the host could choose
// their address.

/** The same variable the deploy balancer reads (runbooks/deployment/_balancer.ts). */
export const NGINX = process.env.NGINX_BIN ?? "/usr/sbin/nginx";

/** The nginx.conf of the proxy: everything under its own directory, never the system config. */
export function renderClientProxyConf(options: {
  dir: string;
  listenPort: number;
  /** host:port of each app instance; more than one are balanced round-robin. */
  upstreams: readonly string[];
  /** The address the generator connects from: the only one whose header is believed. */
  generatorAddress?: string;
}): string {
  if (options.upstreams.length === 0) throw new Error("the client-address proxy needs at least one upstream");
  const { dir } = options;
  return `# The load test's client-address proxy (load-tests/runner/client-proxy.ts); benchmark only.
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events {
  worker_connections 8192;
}
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  client_body_buffer_size 32k;
  proxy_max_temp_file_size 0;
  upstream ssp_load_target {
${options.upstreams.map((u) => `    server ${u};`).join("\n")}
    keepalive 128;
    # Less than the app's 5 s keep-alive: a POST on a connection the app is closing gets 502.
    keepalive_timeout 4s;
  }
  server {
    listen 127.0.0.1:${options.listenPort};
    set_real_ip_from ${options.generatorAddress ?? "127.0.0.1"};
    real_ip_header ${CLIENT_ADDRESS_HEADER};
    location / {
      proxy_pass http://ssp_load_target;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header ${CLIENT_ADDRESS_HEADER} "";
      proxy_connect_timeout 2s;
      proxy_read_timeout 60s;
    }
  }
}
`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export interface ClientProxy {
  /** The proxy's base URL: point the generator here. */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts the proxy in front of `target` (or several instances); resolves once it answers. */
export async function startClientProxy(targets: readonly URL[]): Promise<ClientProxy> {
  const dir = await mkdtemp(path.join(tmpdir(), "ssp-load-proxy-"));
  await mkdir(path.join(dir, "tmp"), { recursive: true });
  const port = await freePort();
  const upstreams = targets.map((t) => `${t.hostname}:${t.port || (t.protocol === "https:" ? 443 : 80)}`);
  const conf = path.join(dir, "nginx.conf");
  await writeFile(conf, renderClientProxyConf({ dir, listenPort: port, upstreams }));
  const child = spawn(NGINX, ["-p", dir, "-c", conf, "-e", path.join(dir, "error.log")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.once("error", () => undefined);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGQUIT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null || child.pid === undefined) break;
    try {
      await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) });
      return { url, pid: child.pid, stop };
    } catch {
      await sleep(50);
    }
  }
  const log = await readFile(path.join(dir, "error.log"), "utf8").catch(() => "");
  await stop();
  throw new Error(
    `the client-address proxy (nginx at ${NGINX}) did not start: ${(stderr || log).trim() || "no answer on its port"}; install nginx (Debian: nginx-light) or run without --client-addresses`,
  );
}
