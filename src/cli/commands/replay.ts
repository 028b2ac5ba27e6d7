import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_NOTIFY_STATE } from '../../actions/defaults.js';
import type { AdHocTarget } from '../../actions/notify.js';
import type { RenderTarget } from '../../sinks/render-payload.js';
import { addInputReportOptions } from './query-options.js';

interface ReplayOptions {
  cloudtrail?: string[];
  config?: string[];
  configFile?: string;
  format?: 'table' | 'jsonl';
  out?: string;
  progress?: boolean;
  maxErrors: number;
  workers: number;
  parseAll?: boolean;
  notify: AdHocTarget[];
  /** The state file, or false for `--no-notify-state`. */
  notifyState: string | false;
  render?: RenderTarget;
}

const NOTIFY_KINDS = ['slack', 'teams', 'webhook'] as const;

/** `slack=https://hooks...`; the URL is a secret, so no message repeats it. */
function notifyTarget(value: string, previous: AdHocTarget[]): AdHocTarget[] {
  const at = value.indexOf('=');
  const kind = value.slice(0, Math.max(0, at));
  if (at < 0 || !(NOTIFY_KINDS as readonly string[]).includes(kind)) {
    throw new InvalidArgumentError(
      `must be KIND=URL with KIND one of ${NOTIFY_KINDS.join(', ')}, e.g. slack=https://hooks.slack.com/services/...`,
    );
  }
  return [...previous, { kind: kind as AdHocTarget['kind'], url: value.slice(at + 1) }];
}

/** `--workers N`: a whole number; `0` or `auto` is one per core. */
function workerCountOption(value: string): number {
  if (value === 'auto') return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new InvalidArgumentError(
      `must be a whole number of 0 or more, or "auto", but "${value}" was provided`,
    );
  }
  return n;
}

export function registerReplay(program: Command): void {
  const command = program
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
    .option(
      '--out <path>',
      'write findings to this file instead of stdout (with --render: the payload directory)',
    )
    .option(
      '--notify <kind=url>',
      'send findings to slack=URL, teams=URL or webhook=URL (repeatable; CLOUDBLAME_WEBHOOK_SECRET signs webhooks)',
      notifyTarget,
      [],
    )
    .option(
      '--notify-state <file>',
      'record of the findings delivered, so that a later run sends each one once per channel',
      DEFAULT_NOTIFY_STATE,
    )
    .option('--no-notify-state', 'remember nothing between runs: a later run sends everything again')
    .addOption(
      new Option('--render <target>', 'write the message payloads to --out DIR instead of sending').choices([
        'slack',
        'teams',
        'email',
        'webhook',
      ]),
    );
  addInputReportOptions(command)
    .option(
      '--workers <n>',
      'threads that read and parse the CloudTrail files (0 or auto: one per core); the findings do not depend on it',
      workerCountOption,
      1,
    )
    .option(
      '--parse-all',
      'parse every CloudTrail record, also the reads and data events no rule is about (recognised and skipped unparsed otherwise), so that each bad one is reported',
    )
    .action(async (options: ReplayOptions) => {
      const cloudtrailPaths = options.cloudtrail ?? [];
      const configPaths = options.config ?? [];
      if (options.render !== undefined && options.out === undefined) {
        program.error('error: --render needs --out DIR, the directory the payloads are written to');
      }
      if (cloudtrailPaths.length === 0 && configPaths.length === 0) {
        program.error(
          'error: replay needs at least one --cloudtrail or --config path, e.g. --cloudtrail ./AWSLogs',
        );
      }
      // Loaded when the command runs: the CLI starts without what the other commands need.
      const { replay } = await import('../../actions/replay.js');
      const result = await replay(
        {
          cloudtrailPaths,
          configPaths,
          configFile: options.configFile,
          format:
            options.format ??
            (process.stdout.isTTY && (options.out === undefined || options.render) ? 'table' : 'jsonl'),
          out: options.out,
          progress: options.progress !== false && process.stderr.isTTY === true,
          maxErrors: options.maxErrors,
          workers: options.workers,
          parseAll: options.parseAll === true,
          notify: options.notify,
          ...(options.notifyState !== false && { notifyState: options.notifyState }),
          render: options.render,
        },
        { stdout: process.stdout, stderr: process.stderr },
      );
      process.exitCode = result.exitCode;
    });
}
