import { spawn } from "node:child_process";
import autocannon from "autocannon";

const app = spawn(
  process.execPath,
  ["--heapsnapshot-signal=SIGUSR2", "/work/main/practice-app/src/main.ts"],
  {
    cwd: "/tmp/heap",
    env: {
      ...process.env,
      PORT: "3224",
      DATABASE_URL: "postgres://postgres@127.0.0.1:5432/subjunctive",
      SESSION_SECRET: "x".repeat(40),
      LOG_LEVEL: "error",
      LOG_REQUESTS: "false",
    },
    stdio: "inherit",
  },
);
await new Promise((r) => setTimeout(r, 2500));
await autocannon({ url: "http://127.0.0.1:3224/trpc/system.ping", connections: 100, duration: 4 });
await new Promise((r) => setTimeout(r, 5000));
app.kill("SIGUSR2");
await new Promise((r) => setTimeout(r, 8000));
await autocannon({ url: "http://127.0.0.1:3224/trpc/system.ping", connections: 100, duration: 8 });
await new Promise((r) => setTimeout(r, 5000));
app.kill("SIGUSR2");
await new Promise((r) => setTimeout(r, 12000));
app.kill("SIGTERM");
