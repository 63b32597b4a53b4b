import { describeReport, verifyLedger } from "../../runbooks/engine/ledger-verify.ts";
import type { AuditVerifyResponse } from "../protocol.ts";
import { defineRoute } from "./route.ts";

// GET /api/audit/verify: walks the audit ledger's chain and checks its signed checkpoints, as
// `npm run runbook -- audit verify` does; the audit view shows "verified: N entries" or where the
// chain broke. A broken chain is an answer (200), not an error of the request.
export default defineRoute({
  method: "GET",
  path: "/api/audit/verify",
  access: "session",
  async handle(_request, { dataDir }) {
    const report = await verifyLedger(dataDir);
    const reply: AuditVerifyResponse = { ...report, summary: describeReport(report) };
    return { status: 200, body: reply };
  },
});
