// The configuration of the private nginx that balances the releases on one host (deploy and
// rollback write it; runbooks/deployment/_balancer.ts starts and switches it). Pure text, so the
// CI/CD tests can check it with \`nginx -t\` without deploying anything.

/** The nginx.conf of the balancer: everything under its own directory, never the system config. */
export function renderNginxConf(dir: string, listenPort: number): string {
  return `# Written by the deploy runbook (runbooks/deployment/_balancer.ts); rewritten when the balancer starts.
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
# Old workers finish their requests after a reload; one stuck request must not hold a switch forever.
worker_shutdown_timeout 20s;

events {
  worker_connections 1024;
}

http {
  log_format upstream '$remote_addr [$time_iso8601] "$request" $status $body_bytes_sent '
                      'upstream=$upstream_addr upstream_status=$upstream_status rt=$request_time';
  access_log ${dir}/access.log upstream;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  # Bodies and answers stay in memory: the app caps bodies at 16 KiB, and no temp file is needed
  # (workers may run as nobody, who cannot write under an operator's data directory).
  client_body_buffer_size 32k;
  proxy_max_temp_file_size 0;

  include ${dir}/upstream.conf;

  server {
    listen 127.0.0.1:${listenPort};

    location / {
      proxy_pass http://ssp_app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_connect_timeout 2s;
      proxy_read_timeout 30s;
      # Which release answered: the deploy checks it after a switch, and so can an operator (curl -I).
      add_header X-Upstream $upstream_addr always;
    }
  }
}
`;
}

/**
 * The upstream block: the release that gets traffic (blue/green), plus the instances add-instance
 * put beside it (`more`), kept-alive connections to them.
 */
/** Seconds nginx keeps an idle upstream connection: less than the app's keep-alive (5 s), or a POST on a connection the app is closing gets 502. */
export const UPSTREAM_KEEPALIVE_TIMEOUT_S = 4;

export function renderUpstream(appPort: number | null, more: readonly number[] = []): string {
  const ports = [...new Set([...(appPort === null ? [] : [appPort]), ...more])];
  if (ports.length === 0) throw new Error("an nginx upstream needs at least one server");
  return `# Written by deploy/rollback/add-instance/remove-instance. Do not edit by hand: run those runbooks.
upstream ssp_app {
${ports.map((p) => `  server 127.0.0.1:${p} max_fails=3 fail_timeout=10s;`).join("\n")}
  keepalive 16;
  keepalive_timeout ${UPSTREAM_KEEPALIVE_TIMEOUT_S}s;
}
`;
}
