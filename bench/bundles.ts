/**
 * Part 4: the Lambda bundles (infra/bundle.ts, the esbuild bundling the CDK app deploys) and the time
 * to import each in a fresh Node process: a cold start's module loading. The AWS SDK stays external, as
 * the Lambda runtime provides it; here it is loaded from node_modules, so it is counted.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUNDLE_SIZE_TARGET_BYTES, bundleHandler, HANDLER_NAMES } from '../infra/bundle.js';
import { runNode } from './lib/child.js';
import { fmtInt, fmtSeconds, quantile, type Table } from './lib/format.js';

export interface BundleMeasure {
  readonly name: string;
  readonly bytes: number;
  readonly importMs: number[];
}

const IMPORT_SCRIPT = `
const started = performance.now();
await import(process.argv[1]);
const ms = performance.now() - started;
(await import('node:fs')).writeFileSync(process.env.CLOUDBLAME_BENCH_STATS, JSON.stringify({ ms, maxRssKb: process.resourceUsage().maxRSS, cpuMs: 0 }));
`;

export async function measureBundles(
  root: string,
  dataDir: string,
  repeat: number,
  log: (line: string) => void,
): Promise<BundleMeasure[]> {
  // Under the project, so that the bundles resolve @aws-sdk/* from its node_modules as Lambda resolves its own.
  const dir = join(dataDir, 'bundles');
  mkdirSync(dir, { recursive: true });
  const out: BundleMeasure[] = [];
  for (const name of HANDLER_NAMES) {
    log(`  bundling ${name}...`);
    const bundle = bundleHandler(name, { projectRoot: root, outDir: join(dir, 'esbuild') });
    const file = join(dir, `${name}.mjs`);
    copyFileSync(bundle.file, file);
    const importMs: number[] = [];
    for (let i = 0; i < repeat; i++) {
      const run = await runNode<{ ms: number; maxRssKb: number; cpuMs: number }>(
        ['--input-type=module', '-e', IMPORT_SCRIPT, pathToFileURL(file).href],
        { cwd: dir },
      );
      if (run.code !== 0 || run.stats === undefined)
        throw new Error(`importing ${name} failed: ${run.stderr}`);
      importMs.push(run.stats.ms);
    }
    out.push({ name, bytes: bundle.bytes, importMs });
  }
  return out;
}

export function bundlesTable(bundles: readonly BundleMeasure[]): Table {
  return {
    title: '4. Lambda bundles',
    head: ['handler', 'bundle (minified ESM)', 'import in a fresh process: median', 'min', 'max'],
    rows: bundles.map((b) => [
      b.name,
      `${fmtInt(b.bytes / 1024)} KB`,
      fmtSeconds(quantile(b.importMs, 0.5)),
      fmtSeconds(Math.min(...b.importMs)),
      fmtSeconds(Math.max(...b.importMs)),
    ]),
    notes: [
      `Bundled by infra/bundle.ts (esbuild, node20, minified, @aws-sdk/* external as the runtime provides it). Target: under ${fmtInt(BUNDLE_SIZE_TARGET_BYTES / 1024)} KB each.`,
      `Import time: \`await import(bundle)\` in a fresh \`node\`, ${bundles[0]?.importMs.length ?? 0} runs each; it includes loading the AWS SDK clients the handler imports (from node_modules here, from the runtime in Lambda). It does not include Node's own start.`,
    ],
  };
}
