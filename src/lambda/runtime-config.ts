/**
 * The cloudblame configuration of a Lambda function, read once per container:
 *
 * 1. `cloudblame.config.json` beside the bundled handler (`$LAMBDA_TASK_ROOT`, or this module's
 *    directory): the deployment's configuration file, parsed and validated at synth time and written as
 *    JSON by the CDK construct's bundler;
 * 2. else the `CLOUDBLAME_CONFIG` environment variable (inline JSON);
 * 3. else the defaults.
 *
 * The document is validated again here (a hand-edited bundle, a stale CLOUDBLAME_CONFIG), and an invalid
 * one fails the cold start with a `ConfigFileError` naming the key: better no function than one that
 * silently notifies nobody.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CloudBlameConfig, parseConfig } from '../core/config/schema.js';
import { ConfigFileError } from '../core/errors.js';

export const CONFIG_FILE_NAME = 'cloudblame.config.json';
export const CONFIG_ENV_VAR = 'CLOUDBLAME_CONFIG';

export interface RuntimeConfig {
  /** The whole configuration, `notifications` and `rules` sections included. */
  readonly config: CloudBlameConfig;
  /** Where it came from: the file's path, `CLOUDBLAME_CONFIG`, or `defaults`. */
  readonly source: string;
}

export interface RuntimeConfigSources {
  /** Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directories searched for the file, in order. Default `$LAMBDA_TASK_ROOT`, then this module's directory. */
  readonly dirs?: readonly string[];
  /** Reads a file, or returns undefined when there is none. Default `readFileSync`. */
  readonly readFile?: (path: string) => string | undefined;
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new ConfigFileError(`${path}: cannot read the configuration file (${code ?? String(error)})`, '', {
      cause: error,
    });
  }
}

function moduleDir(): string | undefined {
  try {
    return dirname(fileURLToPath(import.meta.url));
  } catch {
    return undefined;
  }
}

function parseJsonText(text: string, source: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigFileError(`${source}: invalid JSON: ${reason}`, '', { cause: error });
  }
}

/** Validates a configuration document; `source` names it in errors. */
export function parseRuntimeConfig(doc: unknown, source: string): RuntimeConfig {
  return { config: parseConfig(doc, source), source };
}

/**
 * The function's configuration: the bundled file, else `CLOUDBLAME_CONFIG`, else the defaults.
 * @throws ConfigFileError when the file or the variable holds an invalid configuration.
 */
export function loadRuntimeConfig(sources: RuntimeConfigSources = {}): RuntimeConfig {
  const env = sources.env ?? process.env;
  const read = sources.readFile ?? readIfPresent;
  const dirs =
    sources.dirs ??
    [env['LAMBDA_TASK_ROOT'], moduleDir()].filter((d): d is string => d !== undefined && d !== '');
  for (const dir of [...new Set(dirs)]) {
    const path = join(dir, CONFIG_FILE_NAME);
    const text = read(path);
    if (text !== undefined) return parseRuntimeConfig(parseJsonText(text, path), path);
  }
  const inline = env[CONFIG_ENV_VAR];
  if (inline !== undefined && inline.trim() !== '') {
    return parseRuntimeConfig(parseJsonText(inline, CONFIG_ENV_VAR), CONFIG_ENV_VAR);
  }
  return parseRuntimeConfig({ version: 1 }, 'defaults');
}
