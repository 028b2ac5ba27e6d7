/**
 * Reading the cloudblame configuration file while a CDK app is being built. Constructs are synchronous, so
 * this is a synchronous twin of `loadConfigFile` (src/config/load.ts), sharing its parser and checks.
 */
import { readFileSync } from 'node:fs';
import { checkConfigExtension, parseConfigText, unreadableConfig } from '../src/config/load.js';
import type { CloudBlameConfig } from '../src/core/config/schema.js';

/**
 * Reads and validates a configuration file (`.json`, `.yaml` or `.yml`).
 * @throws ConfigFileError for an unreadable file, a syntax error or an invalid value.
 */
export function loadConfigFileSync(path: string): CloudBlameConfig {
  checkConfigExtension(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw unreadableConfig(path, error);
  }
  return parseConfigText(text, path);
}
