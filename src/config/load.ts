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

/**
 * Reads and validates a configuration file (`.json`, `.yaml` or `.yml`).
 * @throws ConfigFileError for an unreadable file, a syntax error (with line and column) or an invalid value.
 */
export async function loadConfigFile(path: string): Promise<CloudBlameConfig> {
  const extension = extname(path).toLowerCase();
  if (!['.json', '.yaml', '.yml'].includes(extension)) {
    throw new ConfigFileError(
      `${path}: a configuration file must end in .json, .yaml or .yml, but "${extension || '(none)'}" was provided`,
      '',
    );
  }
  let text: string;
  try {
    // Editors on Windows may save a byte order mark, which JSON.parse rejects.
    text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigFileError(`${path}: cannot read the configuration file (${code})`, '', { cause: error });
  }
  const value = extension === '.json' ? parseJson(text, path) : parseYaml(text, path);
  if (value === null || value === undefined) {
    throw new ConfigFileError(
      `${path}: the configuration file is empty; it must contain at least "version: 1"`,
      '',
    );
  }
  return parseConfig(value, path);
}
