// k6 entry for the "soak" profile; its workload is in lib/profiles.ts, its thresholds come from
// policy/. Run: k6 run -e TARGET=http://127.0.0.1:3000 load-tests/soak.ts (add -e FULL=1 for
// the full variant), or npm run load -- soak, which falls back to autocannon without k6.
import { k6HandleSummary, k6Iteration, k6Options, k6Setup } from "./lib/k6-main.ts";

export const options = k6Options("soak");
export const setup = k6Setup("soak");
export default k6Iteration("soak");
export const handleSummary = k6HandleSummary("soak");
