/** Thrown for input the engine cannot conjugate; the message names the input and what is expected. */
export class ConjugationError extends Error {
  override readonly name = "ConjugationError";
}
