import type { Command } from 'commander';
import { addQueryOptions, type QueryOptions, queryContext, queryProblem } from './query-options.js';

export function registerDid(program: Command): void {
  const now = Date.now();
  const command = program
    .command('did')
    .description('everything a principal changed, grouped by service and resource')
    .argument(
      '<principal>',
      'a principal ARN or ARN glob (arn:aws:sts::*:assumed-role/deploy/*), a session or user name, or an access key id',
    );
  addQueryOptions(command, now, '1d').action(async (principal: string, options: QueryOptions) => {
    const problem = queryProblem(options, principal, 'principal');
    if (problem !== undefined) program.error(`error: ${problem}`);
    // Loaded when the command runs: the CLI starts without what the other commands need.
    const { did } = await import('../../actions/did.js');
    const result = await did(
      { ...queryContext(options), principal },
      { stdout: process.stdout, stderr: process.stderr },
    );
    process.exitCode = result.exitCode;
  });
}
