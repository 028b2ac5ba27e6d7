import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import { type CloudBlameConfig, parseConfig } from '../core/config/schema.js';
import { ConfigFileError } from '../core/errors.js';

/** Line and column (1-based) of a character offset, for syntax errors. */
function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const offset = /at position (\d+)/.exec(reason)?.[1];
    const at = offset === undefined ? path : `${path}:${lineAndColumn(text, Number(offset))}`;
    throw new ConfigFileError(`${at}: invalid JSON: ${reason}`, '', { cause: error });
  }
}

function parseYaml(text: string, path: string): unknown {
  // prettyErrors would fold a source excerpt into the message; the position alone reads better on one line.
  const document = parseDocument(text, { prettyErrors: false });
  const [error] = document.errors;
  if (error !== undefined) {
    const at = `${path}:${lineAndColumn(text, error.pos[0])}`;
    throw new ConfigFileError(`${at}: invalid YAML: ${error.message}`, '', { cause: error });
  }
  return document.toJS() as unknown;
}

const EXTENSIONS = ['.json', '.yaml', '.yml'];

/**
 * Validates the text of a configuration file whose name is `path`. Shared by the async loader below and
 * the CDK app's synchronous one, so both accept and reject exactly the same files.
 * @throws ConfigFileError for a wrong extension, a syntax error (with line and column) or an invalid value.
 */
export function parseConfigText(text: string, path: string): CloudBlameConfig {
  const extension = extname(path).toLowerCase();
  // Editors on Windows may save a byte order mark, which JSON.parse rejects.
  const body = text.replace(/^\uFEFF/, '');
  const value = extension === '.json' ? parseJson(body, path) : parseYaml(body, path);
  if (value === null || value === undefined) {
    throw new ConfigFileError(
      `${path}: the configuration file is empty; it must contain at least "version: 1"`,
      '',
    );
  }
  return parseConfig(value, path);
}

/** @throws ConfigFileError naming the file when its extension is not one the loaders read. */
export function checkConfigExtension(path: string): void {
  const extension = extname(path).toLowerCase();
  if (!EXTENSIONS.includes(extension)) {
    throw new ConfigFileError(
      `${path}: a configuration file must end in .json, .yaml or .yml, but "${extension || '(none)'}" was provided`,
      '',
    );
  }
}

export function unreadableConfig(path: string, error: unknown): ConfigFileError {
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  return new ConfigFileError(`${path}: cannot read the configuration file (${code})`, '', { cause: error });
}

/**
 * Reads and validates a configuration file (`.json`, `.yaml` or `.yml`).
 * @throws ConfigFileError for an unreadable file, a syntax error (with line and column) or an invalid value.
 */
export async function loadConfigFile(path: string): Promise<CloudBlameConfig> {
  checkConfigExtension(path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw unreadableConfig(path, error);
  }
  return parseConfigText(text, path);
}
