/** Where in the input a problem was found. Every error about input names at least the source. */
export interface InputLocation {
  /** File path, SQS message id or other document name. */
  readonly source: string;
  /** Zero-based record index within the document. */
  readonly record?: number;
  /** Dotted path of the offending field, e.g. `Records[3].eventTime` is record 3 and field `eventTime`. */
  readonly field?: string;
}

export function describeLocation(at: InputLocation): string {
  const parts = [at.source];
  if (at.record !== undefined) parts.push(`record ${at.record}`);
  if (at.field !== undefined) parts.push(`field ${at.field}`);
  return parts.join(', ');
}

/** Base of the errors cloudblame raises about its own input, so callers can tell them from bugs. */
export class CloudBlameError extends Error {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CloudBlameError';
  }
}

/**
 * Untrusted input that cannot be used: a record missing a required field, a document that is neither
 * CloudTrail nor Config, invalid JSON. The message names the source, the record and the field.
 */
export class InputError extends CloudBlameError {
  public readonly location: InputLocation;

  public constructor(problem: string, location: InputLocation, options?: { cause?: unknown }) {
    super(`${describeLocation(location)}: ${problem}`, options);
    this.name = 'InputError';
    this.location = location;
  }
}

/** The configuration file is invalid; the message names the key, the bad value and what is allowed. */
export class ConfigFileError extends CloudBlameError {
  public readonly key: string;

  public constructor(message: string, key: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigFileError';
    this.key = key;
  }
}
