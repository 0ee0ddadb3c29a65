import { readFileSync } from 'node:fs';
/**
 * An error the user caused (a bad flag, a missing or corrupt file). The CLI prints its message on
 * one line and exits non-zero; anything else is a bug and still gets one line, plus a hint.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Prints `convlab: <message>` to stderr and exits with status 1 (2 for usage errors). */
export function exitWithError(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`convlab: ${message.split('\n')[0]}\n`);
  if (process.env.CONVLAB_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
}

/** The bytes of a file the user named; a missing or unreadable file is a one-line UsageError. */
export function readUserFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read: ${(error as Error).message}`);
  }
}
