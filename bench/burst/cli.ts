/** `node dist/bench/burst/cli.js`: part 2 alone. */
import { renderTable } from '../lib/format.js';
import { burstTable, simulateBurst } from './index.js';

process.stdout.write(renderTable(burstTable(await simulateBurst())));
