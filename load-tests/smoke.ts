// k6 entry for the "smoke" profile; its workload is in lib/profiles.ts, its thresholds come from
// policy/. Run: k6 run -e TARGET=http://127.0.0.1:3000 load-tests/smoke.ts (add -e FULL=1 for
// the full variant), or npm run load -- smoke, which falls back to autocannon without k6.
import { k6HandleSummary, k6Iteration, k6Options, k6Setup } from "./lib/k6-main.ts";

export const options = k6Options("smoke");
export const setup = k6Setup("smoke");
export default k6Iteration("smoke");
export const handleSummary = k6HandleSummary("smoke");
