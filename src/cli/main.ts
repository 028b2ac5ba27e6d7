#!/usr/bin/env node
import { Command } from 'commander';
import { registerDid } from './commands/did.js';
import { registerIndex } from './commands/index.js';
import { registerReplay } from './commands/replay.js';
import { registerWho } from './commands/who.js';

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
