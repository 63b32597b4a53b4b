import approval from "./approval.ts";
import approvalSignature from "./approval-signature.ts";
import audit from "./audit.ts";
import auditVerify from "./audit-verify.ts";
import budget from "./budget.ts";
import cancelRun from "./cancel-run.ts";
import checkRun from "./check-run.ts";
import consoleInfo from "./console-info.ts";
import exercised from "./exercised.ts";
import history from "./history.ts";
import releases from "./releases.ts";
import reload from "./reload.ts";
import type { Route } from "./route.ts";
import runArtifact from "./run-artifact.ts";
import runDiff from "./run-diff.ts";
import runEvents from "./run-events.ts";
import runLog from "./run-log.ts";
import session from "./session.ts";
import signInChallenge from "./sign-in-challenge.ts";
import signInKey from "./sign-in-key.ts";
import startRun from "./start-run.ts";

// The console API, one file per route. server.ts matches a request against this table.
// biome-ignore lint/suspicious/noExplicitAny: each route's body type is checked in its own file; the table erases it.
export const ROUTES: readonly Route<any>[] = [
  session,
  signInChallenge,
  signInKey,
  consoleInfo,
  startRun,
  checkRun,
  reload,
  releases,
  history,
  audit,
  exercised,
  auditVerify,
  budget,
  runEvents,
  cancelRun,
  runLog,
  runArtifact,
  runDiff,
  approval,
  approvalSignature,
];
