/**
 * Reading the cloudblame configuration file while a CDK app is being built. Constructs are synchronous, so
 * this is a synchronous twin of `loadConfigFile` (src/config/load.ts): same formats, same validation
 * (`parseConfig`), errors naming the file, line and column.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import { type CloudBlameConfig, parseConfig } from '../src/core/config/schema.js';
import { ConfigFileError } from '../src/core/errors.js';

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
}

function parseText(text: string, path: string, extension: string): unknown {
  if (extension === '.json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const offset = /at position (\d+)/.exec(reason)?.[1];
      const at = offset === undefined ? path : `${path}:${lineAndColumn(text, Number(offset))}`;
      throw new ConfigFileError(`${at}: invalid JSON: ${reason}`, '', { cause: error });
    }
  }
  const document = parseDocument(text, { prettyErrors: false });
  const [error] = document.errors;
  if (error !== undefined) {
    throw new ConfigFileError(
      `${path}:${lineAndColumn(text, error.pos[0])}: invalid YAML: ${error.message}`,
      '',
      {
        cause: error,
      },
    );
  }
  return document.toJS() as unknown;
}

/**
 * Reads and validates a configuration file (`.json`, `.yaml` or `.yml`).
 * @throws ConfigFileError for an unreadable file, a syntax error or an invalid value.
 */
export function loadConfigFileSync(path: string): CloudBlameConfig {
  const extension = extname(path).toLowerCase();
  if (!['.json', '.yaml', '.yml'].includes(extension)) {
    throw new ConfigFileError(
      `${path}: a configuration file must end in .json, .yaml or .yml, but "${extension || '(none)'}" was provided`,
      '',
    );
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigFileError(`${path}: cannot read the configuration file (${code})`, '', { cause: error });
  }
  const value = parseText(text, path, extension);
  if (value === null || value === undefined) {
    throw new ConfigFileError(
      `${path}: the configuration file is empty; it must contain at least "version: 1"`,
      '',
    );
  }
  return parseConfig(value, path);
}
