import { SLO } from "../../policy/index.ts";

// The workload of every load-test profile, as pure data: the k6 scripts turn it into k6 options
// (options.ts) and the fallback runner into autocannon segments (runner/fallback.ts). Change a
// stage here and both follow. No Node and no k6 imports: k6 loads this file too.

export const PROFILE_NAMES = ["smoke", "average-load", "stress", "spike", "soak", "breakpoint"] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];
export type Variant = "short" | "full";

/** Ramp linearly from the previous stage's target to `target` virtual users over `durationS`. */
export interface Stage {
  durationS: number;
  target: number;
}

export interface Profile {
  name: ProfileName;
  /** What the profile answers, for the README, the runbook and the summary. */
  question: string;
  /** CI and the handbook's Run button: minutes, not hours. */
  short: Stage[];
  /** The documented run (k6's guidance for each test type), for staging. */
  full: Stage[];
  /** Seconds a virtual learner waits between two calls (reading, typing). */
  thinkTimeS: number;
  /** Stop as soon as a threshold fails (the breakpoint search). */
  abortOnFail: boolean;
}

const USERS = SLO.concurrentUsers;
const minutes = (m: number) => m * 60;

// Every profile starts from 0 and ramps: each new virtual learner signs up once (over half a second of a
// core for scrypt, by design), so a ramp spreads the log-in wave the way real arrivals do.
export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  smoke: {
    name: "smoke",
    question: "Do the scripts and the app work at all, within the SLOs, under a trivial load?",
    short: [
      { durationS: 2, target: 3 },
      { durationS: 10, target: 3 },
    ],
    full: [
      { durationS: 10, target: 5 },
      { durationS: minutes(1), target: 5 },
    ],
    thinkTimeS: 0.5,
    abortOnFail: false,
  },
  "average-load": {
    name: "average-load",
    question: `Do we meet the SLOs with ${USERS} concurrent learners, the normal peak?`,
    short: [
      { durationS: minutes(2), target: USERS },
      { durationS: minutes(3), target: USERS },
      { durationS: 10, target: 0 },
    ],
    full: [
      { durationS: minutes(5), target: USERS },
      { durationS: minutes(30), target: USERS },
      { durationS: minutes(5), target: 0 },
    ],
    thinkTimeS: 1,
    abortOnFail: false,
  },
  stress: {
    name: "stress",
    question: `How do we degrade at twice the normal peak (${2 * USERS} learners)?`,
    short: [
      { durationS: minutes(3), target: 2 * USERS },
      { durationS: minutes(2), target: 2 * USERS },
      { durationS: 10, target: 0 },
    ],
    full: [
      { durationS: minutes(10), target: 2 * USERS },
      { durationS: minutes(30), target: 2 * USERS },
      { durationS: minutes(5), target: 0 },
    ],
    thinkTimeS: 1,
    abortOnFail: false,
  },
  spike: {
    name: "spike",
    question: "Do we survive a burst (a class starting at once) and recover after it?",
    short: [
      { durationS: 10, target: 20 },
      { durationS: 20, target: 2 * USERS },
      { durationS: 30, target: 2 * USERS },
      { durationS: 10, target: 20 },
      { durationS: 20, target: 20 },
    ],
    full: [
      { durationS: minutes(1), target: 20 },
      { durationS: minutes(1), target: 5 * USERS },
      { durationS: minutes(3), target: 5 * USERS },
      { durationS: minutes(1), target: 20 },
      { durationS: minutes(3), target: 20 },
    ],
    thinkTimeS: 1,
    abortOnFail: false,
  },
  soak: {
    name: "soak",
    question: "Does anything leak (memory, connections) under the normal peak for hours?",
    short: [
      { durationS: minutes(1), target: USERS },
      { durationS: minutes(5), target: USERS },
      { durationS: 10, target: 0 },
    ],
    full: [
      { durationS: minutes(5), target: USERS },
      { durationS: minutes(4 * 60), target: USERS },
      { durationS: minutes(5), target: 0 },
    ],
    thinkTimeS: 1,
    abortOnFail: false,
  },
  breakpoint: {
    name: "breakpoint",
    question:
      "At how many concurrent learners does p95 or the error rate leave the SLO, and what breaks first?",
    short: [{ durationS: minutes(5), target: 3 * USERS }],
    full: [{ durationS: minutes(2 * 60), target: 25 * USERS }],
    thinkTimeS: 1,
    abortOnFail: true,
  },
};

export class ProfileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProfileError";
  }
}

export function isProfileName(name: string): name is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(name);
}

export function getProfile(name: string): Profile {
  if (!isProfileName(name))
    throw new ProfileError(`unknown load-test profile "${name}"; choose one of: ${PROFILE_NAMES.join(", ")}`);
  return PROFILES[name];
}

export function stagesOf(profile: Profile, variant: Variant): Stage[] {
  return variant === "full" ? profile.full : profile.short;
}

export function totalSeconds(stages: readonly Stage[]): number {
  return stages.reduce((sum, stage) => sum + stage.durationS, 0);
}

/** Virtual users the stages ask for at `atS` seconds (linear ramps, as k6's ramping-vus executor). */
export function vusAt(stages: readonly Stage[], atS: number): number {
  let from = 0;
  let start = 0;
  for (const stage of stages) {
    if (atS < start + stage.durationS) {
      const share = stage.durationS === 0 ? 1 : (atS - start) / stage.durationS;
      return Math.round(from + (stage.target - from) * share);
    }
    from = stage.target;
    start += stage.durationS;
  }
  return from;
}
