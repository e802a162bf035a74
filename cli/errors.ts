/** Bad usage or configuration: reported as one line, exit code 2, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}
