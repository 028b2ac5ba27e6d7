import { InputError } from '../core/errors.js';
import { escapeControl } from '../core/parse/shape.js';

/** A file, line or path that could not be read (or walked), and why. */
export interface ReadFailure {
  readonly source: string;
  readonly error: InputError;
}

const IO_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ELOOP: 'too many levels of symbolic links',
  Z_BUF_ERROR: 'truncated gzip data (unexpected end of file)',
  Z_DATA_ERROR: 'corrupt gzip data',
};

/** Why `error` happened, in words: a known error code's meaning, else its message (control characters escaped). */
export function reasonOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    const known = IO_REASONS[error.code];
    if (known !== undefined) return known;
  }
  return escapeControl(error instanceof Error ? error.message : String(error));
}

export function failure(source: string, problem: string, cause?: unknown): ReadFailure {
  return { source, error: new InputError(problem, { source }, { cause }) };
}
