/**
 * Bundles the Lambda handlers with esbuild, in-process and offline: no Docker, no network.
 *
 * Why not `NodejsFunction`: it shells out to an `esbuild` binary found on the PATH or in node_modules, and
 * falls back to Docker when it finds none, so `cdk synth` can need Docker on a clean machine; it also
 * cannot add a file beside the bundle. Here esbuild's JavaScript API runs inside the CDK app, the bundle
 * (`index.mjs`) and the validated configuration (`cloudblame.config.json`) go into one directory, and
 * `lambda.Code.fromAsset(<that directory>)` hashes both: a change to either deploys new code.
 *
 * Output: ESM, platform node, target node20, minified, no source map. `@aws-sdk/*` stays external (every
 * Node.js Lambda runtime from 18 on provides SDK v3); Powertools and everything else is bundled.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

/** The handlers, by the file name of their entry point under `src/lambda/`. */
export const HANDLER_NAMES = ['index-events', 'attribute-changes', 'alerts'] as const;
export type HandlerName = (typeof HANDLER_NAMES)[number];

/** The file each handler reads its configuration from, beside `index.mjs`. */
export const CONFIG_FILE_NAME = 'cloudblame.config.json';

/** The size the issue sets as a target for each bundle. */
export const BUNDLE_SIZE_TARGET_BYTES = 1024 * 1024;

export interface BundleOptions {
  /**
   * The root of the cloudblame package: the directory holding its `package.json`, with the handlers under
   * `src/lambda/*.ts` (a checkout) or `dist/src/lambda/*.js` (an installed package).
   *
   * @default the package root that holds this file
   */
  readonly projectRoot?: string;

  /**
   * Where bundles and asset directories are written. The CDK copies each asset into the cloud assembly,
   * so this is a cache, not the output.
   *
   * @default `<os temp dir>/cloudblame-bundles/<hash of the project root>`
   */
  readonly outDir?: string;
}

/** One bundled handler. */
export interface HandlerBundle {
  readonly name: HandlerName;
  /** The entry file esbuild started from. */
  readonly entry: string;
  /** The bundled `index.mjs`, before the configuration file is added. */
  readonly file: string;
  readonly bytes: number;
}

const BANNER = [
  // Bundled CommonJS dependencies call require(); an ES module has none of its own.
  "import { createRequire as __cloudblameCreateRequire } from 'node:module';",
  'const require = __cloudblameCreateRequire(import.meta.url);',
].join(' ');

function sha256(...parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}

/** The nearest directory above `start` (inclusive) whose package.json names the cloudblame package. */
export function findProjectRoot(start: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = resolve(start);
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const parsed: unknown = JSON.parse(readFileSync(manifest, 'utf8'));
      if (
        typeof parsed === 'object' &&
        parsed !== null &&
        (parsed as { name?: unknown }).name === 'cloudblame'
      ) {
        return dir;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(
        `cloudblame: no package.json with "name": "cloudblame" was found in ${start} or any directory above it; pass bundling.projectRoot`,
      );
    }
    dir = parent;
  }
}

/** The entry file of a handler: the TypeScript source in a checkout, else the compiled JavaScript. */
export function handlerEntry(name: HandlerName, projectRoot: string): string {
  const candidates = [
    join(projectRoot, 'src', 'lambda', `${name}.ts`),
    join(projectRoot, 'dist', 'src', 'lambda', `${name}.js`),
  ];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) {
    throw new Error(
      `cloudblame: the Lambda handler "${name}" was not found: neither ${candidates.join(' nor ')} exists. Run the deployment from a checkout of cloudblame (src/lambda/${name}.ts) or from an installed package built with \`npm run build\`.`,
    );
  }
  return found;
}

function defaultOutDir(projectRoot: string): string {
  return join(tmpdir(), 'cloudblame-bundles', sha256(projectRoot).slice(0, 16));
}

/** Writes a file so that a concurrent reader (another test worker) never sees it half-written. */
function writeAtomically(file: string, contents: string | Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
}

const bundles = new Map<string, HandlerBundle>();

/**
 * Bundles one handler, once per process for a given entry and output directory (esbuild takes about a
 * second; a test file that builds several stacks pays it once).
 */
export function bundleHandler(name: HandlerName, options: BundleOptions = {}): HandlerBundle {
  const projectRoot = options.projectRoot ?? findProjectRoot();
  const outDir = options.outDir ?? defaultOutDir(projectRoot);
  const entry = handlerEntry(name, projectRoot);
  const key = `${entry}\0${outDir}`;
  const cached = bundles.get(key);
  if (cached !== undefined) return cached;

  const result = buildSync({
    entryPoints: [entry],
    absWorkingDir: projectRoot,
    bundle: true,
    write: false,
    outfile: join(outDir, 'index.mjs'),
    platform: 'node',
    target: 'node20',
    format: 'esm',
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    external: ['@aws-sdk/*'],
    banner: { js: BANNER },
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error(`cloudblame: esbuild produced no output for ${entry}`);
  const file = join(outDir, 'bundles', `${name}-${sha256(output.text).slice(0, 16)}.mjs`);
  if (!existsSync(file)) writeAtomically(file, output.contents);
  const bundle: HandlerBundle = { name, entry, file, bytes: output.contents.byteLength };
  bundles.set(key, bundle);
  return bundle;
}

/** Every bundle made in this process, for the size report of `npm run synth`. */
export function bundlesMade(): readonly HandlerBundle[] {
  return [...bundles.values()];
}

/**
 * A directory holding the handler's `index.mjs` and `cloudblame.config.json` (the configuration as JSON),
 * for `lambda.Code.fromAsset`. The directory name is a hash of both, so it never changes under a stack
 * that already uses it.
 */
export function handlerAssetDir(name: HandlerName, config: unknown, options: BundleOptions = {}): string {
  const bundle = bundleHandler(name, options);
  const code = readFileSync(bundle.file, 'utf8');
  const configJson = `${JSON.stringify(config, null, 2)}\n`;
  const outDir = dirname(dirname(bundle.file));
  const dir = join(outDir, 'assets', `${name}-${sha256(code, configJson).slice(0, 16)}`);
  if (!existsSync(join(dir, CONFIG_FILE_NAME))) {
    writeAtomically(join(dir, 'index.mjs'), code);
    writeAtomically(join(dir, CONFIG_FILE_NAME), configJson);
  }
  return dir;
}

/** `12.3 KB`, as the size report prints it. */
export function formatKilobytes(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}
