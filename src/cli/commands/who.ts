import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { Command } from 'commander';
import type { LiveContext } from '../../actions/who.js';
import { addQueryOptions, type QueryOptions, queryContext, queryProblem } from './query-options.js';

interface WhoOptions extends QueryOptions {
  live?: boolean;
  profile?: string;
  region?: string;
}

/** CloudTrail clients for `--live`, one per region, on the profile and region given or the defaults. */
async function liveContext(options: WhoOptions): Promise<LiveContext | string> {
  const { CloudTrailClient } = await import('@aws-sdk/client-cloudtrail');
  const clients = new Map<string, CloudTrailClient>();
  const clientFor = (region: string): CloudTrailClient => {
    let client = clients.get(region);
    if (client === undefined) {
      client = new CloudTrailClient({
        region,
        ...(options.profile !== undefined && { profile: options.profile }),
      });
      clients.set(region, client);
    }
    return client;
  };
  let region = options.region;
  if (region === undefined) {
    const probe = new CloudTrailClient({
      ...(options.profile !== undefined && { profile: options.profile }),
    });
    try {
      region = await probe.config.region();
    } catch {
      return '--live needs a region: pass --region, or set AWS_REGION or a region in the AWS profile';
    } finally {
      probe.destroy();
    }
  }
  return { clientFor, region };
}

export function registerWho(program: Command): void {
  const now = Date.now();
  const command = program
    .command('who')
    .description("a resource's change timeline, newest first: when, who, how, which call, key parameters")
    .argument('<resource>', 'a resource id (sg-0123…, AROA…), name or ARN');
  addQueryOptions(command, now, '7d')
    .option('--live', 'when the index has no answer, ask CloudTrail LookupEvents (last 90 days; 2 calls/s)')
    .option('--profile <name>', 'AWS profile for --live (default: the default credential chain)')
    .option('--region <region>', 'AWS region for --live (IAM and other global resources: us-east-1)')
    .action(async (resource: string, options: WhoOptions) => {
      const problem = queryProblem(options, resource, 'resource');
      if (problem !== undefined) program.error(`error: ${problem}`);
      let live: LiveContext | undefined;
      if (options.live === true) {
        const context = await liveContext(options);
        if (typeof context === 'string') program.error(`error: ${context}`);
        else live = context;
      }
      // Loaded when the command runs: the CLI starts without what the other commands need.
      const { who } = await import('../../actions/who.js');
      const result = await who(
        { ...queryContext(options), resource, ...(live !== undefined && { live }) },
        { stdout: process.stdout, stderr: process.stderr },
      );
      process.exitCode = result.exitCode;
    });
}
