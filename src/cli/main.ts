#!/usr/bin/env node
import { Command } from 'commander';
import { registerDid } from './commands/did.js';
import { registerIndex } from './commands/index.js';
import { registerReplay } from './commands/replay.js';
import { registerWho } from './commands/who.js';

// The AWS SDK warns, on every run that loads it (`who --live`, `index s3://…`), in ten lines, that its
// releases after January 2027 will need Node 22. cloudblame supports Node 20 with the SDK it pins, so the
// notice is for its maintainers (README "Requirements"), not its users; setting the variable keeps it.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

// `cloudblame who … | head`: once the reader has gone, what is left to print has nowhere to go.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

const program = new Command()
  .name('cloudblame')
  .description('git blame for an AWS account: who changed what, how, and whether it was outside IaC')
  .version('0.1.0');

registerReplay(program);
registerIndex(program);
registerWho(program);
registerDid(program);

await program.parseAsync(process.argv);
