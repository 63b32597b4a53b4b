import { spawn } from "node:child_process";
import autocannon from "autocannon";

const app = spawn(process.execPath, ["--expose-gc", "practice-app/src/main.ts"], {
  env: {
    ...process.env,
    PORT: "3224",
    DATABASE_URL: "postgres://postgres@127.0.0.1:5432/subjunctive",
    SESSION_SECRET: "x".repeat(40),
    LOG_LEVEL: "error",
    LOG_REQUESTS: "false",
  },
  stdio: "inherit",
});
await new Promise((r) => setTimeout(r, 2500));
const m = async (label: string) => {
  const t = await (await fetch("http://127.0.0.1:3224/metrics")).text();
  console.log(
    label,
    [
      "process_resident_memory_bytes",
      "nodejs_heap_size_total_bytes",
      "nodejs_heap_size_used_bytes",
      "nodejs_external_memory_bytes",
    ]
      .map(
        (k) =>
          `${k.replace(/_bytes$/, "").replace(/^nodejs_|^process_/, "")}=${Math.round(Number(new RegExp(`^${k} (\\S+)`, "m").exec(t)?.[1]) / 1048576)}`,
      )
      .join(" "),
  );
};
for (let i = 1; i <= 8; i++) {
  await autocannon({ url: "http://127.0.0.1:3224/trpc/system.ping", connections: 100, duration: 5 });
  await m(`after run ${i}`);
}
await new Promise((r) => setTimeout(r, 15000));
await m("after 15 s idle");
app.kill("SIGTERM");
