/** `node dist/bench/gen/cli.js --events N --seed S --out DIR [--mode writes]`: the generator alone. */
import { parseArgs } from 'node:util';
import { generate } from './generate.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '20261118' },
    out: { type: 'string', default: 'bench/.data/archive' },
    mode: { type: 'string', default: 'mixed' },
  },
});
if (values.mode !== 'mixed' && values.mode !== 'writes') throw new Error('--mode: mixed or writes');
const started = Date.now();
const manifest = await generate({
  events: Number(values.events),
  seed: Number(values.seed),
  outDir: values.out,
  mode: values.mode,
  onProgress: (done, total) => process.stderr.write(`\rgenerating: ${done} / ${total} events`),
});
process.stderr.write(`\n`);
console.log(
  JSON.stringify(
    { ...manifest, days: manifest.days.length, seconds: (Date.now() - started) / 1000 },
    null,
    2,
  ),
);
