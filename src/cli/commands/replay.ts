import { type Command, InvalidArgumentError, Option } from 'commander';
import { replay } from '../../actions/replay.js';

interface ReplayOptions {
  cloudtrail?: string[];
  config?: string[];
  configFile?: string;
  format?: 'table' | 'jsonl';
  out?: string;
  progress?: boolean;
  maxErrors: number;
}

function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new InvalidArgumentError(`must be a whole number of 0 or more, but "${value}" was provided`);
  }
  return n;
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('attribute AWS Config changes in files to the CloudTrail events that made them')
    .option(
      '--cloudtrail <path...>',
      'CloudTrail files or directories (.json, .json.gz, .jsonl), walked recursively',
    )
    .option(
      '--config <path...>',
      'AWS Config change files or directories (notifications, history, snapshots)',
    )
    .option('--config-file <file>', 'cloudblame settings (JSON or YAML; see schema/cloudblame.schema.json)')
    .addOption(
      new Option('--format <format>', 'output format (default: table on a terminal, else jsonl)').choices([
        'table',
        'jsonl',
      ]),
    )
    .option('--out <file>', 'write findings to this file instead of stdout')
    .option('--no-progress', 'never draw the progress line on stderr')
    .option(
      '--max-errors <n>',
      'print at most n input errors (all are counted); 0 prints all',
      nonNegativeInteger,
      100,
    )
    .action(async (options: ReplayOptions) => {
      const cloudtrailPaths = options.cloudtrail ?? [];
      const configPaths = options.config ?? [];
      if (cloudtrailPaths.length === 0 && configPaths.length === 0) {
        program.error('replay needs at least one --cloudtrail or --config path, e.g. --cloudtrail ./AWSLogs');
      }
      const result = await replay(
        {
          cloudtrailPaths,
          configPaths,
          configFile: options.configFile,
          format: options.format ?? (process.stdout.isTTY && options.out === undefined ? 'table' : 'jsonl'),
          out: options.out,
          progress: options.progress !== false && process.stderr.isTTY === true,
          maxErrors: options.maxErrors,
        },
        { stdout: process.stdout, stderr: process.stderr },
      );
      process.exitCode = result.exitCode;
    });
}
