#!/usr/bin/env node
import { Command } from 'commander';
import { registerReplay } from './commands/replay.js';

const program = new Command()
  .name('cloudblame')
  .description('git blame for an AWS account: who changed what, how, and whether it was outside IaC')
  .version('0.1.0');

registerReplay(program);

await program.parseAsync(process.argv);
