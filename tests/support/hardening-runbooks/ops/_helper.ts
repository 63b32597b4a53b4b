// A helper module the fixture runbook imports: the console's provenance test changes it on disk.
export const GREETING = "hello from the helper";
