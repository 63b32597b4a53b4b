// The settings of password hashing, apart from the hashing itself (passwords.ts starts threads),
// so the app's configuration and the handbook can read the defaults without loading it.

/** The app's PASSWORD_HASH_QUEUE_MAX and PASSWORD_HASH_NICE; createApp sets the configured ones. */
export interface PasswordHashing {
  /** Hashes that may wait for a thread before more are refused with WorkQueueFull. */
  maxWaiting: number;
  /** How much lower than the app's the hashing threads' CPU priority is (nice increment, 0–19). */
  nice: number;
}

/** The defaults of PASSWORD_HASH_QUEUE_MAX and PASSWORD_HASH_NICE. */
export const DEFAULT_PASSWORD_HASHING: Readonly<PasswordHashing> = { maxWaiting: 32, nice: 10 };
