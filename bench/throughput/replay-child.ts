/**
 * `node dist/bench/throughput/replay-child.js replay ARGS...`: the real `cloudblame` CLI (dist/src/cli/main.js)
 * with these arguments, in this process, which then writes its peak RSS and CPU time to the file named
 * by CLOUDBLAME_BENCH_STATS. Nothing else differs from running `cloudblame replay ARGS...`.
 */
import { writeFileSync } from 'node:fs';
import { processStats } from '../lib/child.js';

const statsFile = process.env['CLOUDBLAME_BENCH_STATS'];
process.on('exit', () => {
  if (statsFile !== undefined) writeFileSync(statsFile, JSON.stringify(processStats()));
});
process.argv = [process.argv[0] ?? 'node', 'cloudblame', ...process.argv.slice(2)];
await import('../../src/cli/main.js');
