/**
 * `npm run synth`: synthesizes the app offline (no AWS credentials, no Docker, no network) into cdk.out/,
 * then prints the size of each Lambda bundle and the resources of each template.
 *
 *   node dist/infra/synth.js [--config examples/cloudblame.yaml] [--out cdk.out]
 */
import { parseArgs } from 'node:util';
import { BUNDLE_SIZE_TARGET_BYTES, bundlesMade, formatKilobytes } from './bundle.js';
import { buildApp } from './stack.js';

const { values } = parseArgs({
  options: { config: { type: 'string' }, out: { type: 'string', default: 'cdk.out' } },
});

const { app, configFile } = buildApp({
  outdir: values.out,
  ...(values.config !== undefined && { context: { config: values.config } }),
});
const assembly = app.synth();

const lines: string[] = [];
lines.push(
  `cloudblame: synthesized to ${assembly.directory} (configuration: ${configFile ?? 'defaults'})`,
  '',
);
lines.push('Lambda bundles (target: under 1 MB each):');
let oversized = 0;
for (const bundle of bundlesMade()) {
  const over = bundle.bytes >= BUNDLE_SIZE_TARGET_BYTES;
  if (over) oversized += 1;
  lines.push(
    `  ${bundle.name.padEnd(20)} ${formatKilobytes(bundle.bytes).padStart(10)}${over ? '  OVER TARGET' : ''}`,
  );
}
for (const stack of assembly.stacks) {
  const resources = Object.values(
    (stack.template as { Resources?: Record<string, { Type: string }> }).Resources ?? {},
  );
  const counts = new Map<string, number>();
  for (const resource of resources) counts.set(resource.Type, (counts.get(resource.Type) ?? 0) + 1);
  lines.push(
    '',
    `${stack.stackName} (${stack.environment.region === 'unknown-region' ? 'any region' : stack.environment.region}): ${resources.length} resources`,
  );
  for (const [type, count] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`  ${type.padEnd(40)} ${String(count).padStart(4)}`);
  }
}
process.stdout.write(`${lines.join('\n')}\n`);
if (oversized > 0) {
  process.stdout.write(`\n${oversized} bundle(s) over the 1 MB target.\n`);
}
