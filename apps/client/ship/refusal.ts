/**
 * A reason not to start an upload, found before any network call. `subject` is what to fix: the
 * environment variable (or the folder) the message is about.
 */
export class Refusal extends Error {
  override readonly name = 'Refusal';
  constructor(
    readonly subject: string,
    message: string,
  ) {
    super(`${subject}: ${message}`);
  }
}
