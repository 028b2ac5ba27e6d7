/**
 * Defaults the CLI shows in its help: kept apart from the actions that use them, so that the help and
 * every command start without loading what the other commands need.
 */

/** The index `index`, `who` and `did` use when `--db` is not given, relative to the working directory. */
export const DEFAULT_DB = '.cloudblame/index.db';

/** Where `replay --notify` records the findings it delivered when `--notify-state` is not given. */
export const DEFAULT_NOTIFY_STATE = '.cloudblame/notified.db';

/** Events `who` and `did` show when `--limit` is not given, the newest first. */
export const DEFAULT_LIMIT = 200;
