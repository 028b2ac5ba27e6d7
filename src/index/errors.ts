/** The errors of the persistent event index. */

/** The index file cannot be used: missing, built by a newer cloudblame, or not an index at all. */
export class IndexFileError extends Error {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IndexFileError';
  }
}
