/**
 * Defaults the CLI shows in its help: kept apart from the actions that use them, so that the help and
 * every command start without loading what the other commands need.
 */

/** Where `index`, `who` and `did` keep and read the event index. */
export const DEFAULT_DB = '.cloudblame/index.db';

/** Events `who` and `did` show at most, newest first. */
export const DEFAULT_LIMIT = 200;
