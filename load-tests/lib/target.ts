// Where the load goes when no target is given: the app `npm start` runs (its default PORT).
export const DEFAULT_TARGET = "http://127.0.0.1:3000";
