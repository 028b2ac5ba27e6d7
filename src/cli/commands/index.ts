import type { S3Client } from '@aws-sdk/client-s3';
import type { Command } from 'commander';
import { DEFAULT_DB } from '../../actions/defaults.js';
import { addInputReportOptions } from './query-options.js';

interface IndexOptions {
  db: string;
  all?: boolean;
  profile?: string;
  region?: string;
  progress?: boolean;
  maxErrors: number;
}

export function registerIndex(program: Command): void {
  const command = program
    .command('index')
    .description(
      'build or extend the persistent event index from CloudTrail archives (local, or s3://bucket/prefix); ' +
        'files already indexed unchanged are skipped',
    )
    .argument(
      '[source...]',
      'CloudTrail files, directories (walked recursively) or s3://bucket/prefix; none: only upgrade an existing index',
    )
    .option('--db <file>', 'the index file, created when missing', DEFAULT_DB)
    .option('--all', 'keep read-only and failed calls too (by default only successful writes)')
    .option('--profile <name>', 'AWS profile for s3:// sources (default: the default credential chain)')
    .option('--region <region>', 'AWS region for s3:// sources');
  addInputReportOptions(command).action(async (sources: string[], options: IndexOptions) => {
    // Loaded when the command runs: the CLI starts without what the other commands need.
    const [{ indexArchive }, { S3Client }] = await Promise.all([
      import('../../actions/index-archive.js'),
      import('@aws-sdk/client-s3'),
    ]);
    let client: S3Client | undefined;
    const result = await indexArchive(
      {
        sources,
        db: options.db,
        all: options.all === true,
        progress: options.progress !== false && process.stderr.isTTY === true,
        maxErrors: options.maxErrors,
        s3: () => {
          client ??= new S3Client({
            ...(options.region !== undefined && { region: options.region }),
            ...(options.profile !== undefined && { profile: options.profile }),
            followRegionRedirects: true,
          });
          return client;
        },
      },
      { stderr: process.stderr },
    );
    client?.destroy();
    process.exitCode = result.exitCode;
  });
}
