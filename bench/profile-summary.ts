/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time by function and by source file, the
 * top entries first. `node dist/bench/profile-summary.js FILE.cpuprofile [N]`.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileLine {
  readonly name: string;
  readonly ms: number;
  readonly share: number;
}

function shortUrl(url: string): string {
  const at = url.search(/\/(?:dist|node_modules)\//);
  return at >= 0 ? url.slice(at + 1) : url.replace(/^file:\/\//, '');
}

export function summariseProfile(
  path: string,
  top = 25,
): { byFunction: ProfileLine[]; byFile: ProfileLine[]; totalMs: number } {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  let total = 0;
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (node === undefined) continue;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url === '' ? '' : `${shortUrl(url)}:${lineNumber + 1}`;
    const name = `${functionName || '(anonymous)'} ${where}`.trim();
    fn.set(name, (fn.get(name) ?? 0) + us);
    const f = url === '' ? `(${functionName || 'native'})` : shortUrl(url);
    file.set(f, (file.get(f) ?? 0) + us);
  }
  const lines = (m: Map<string, number>): ProfileLine[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, share: total === 0 ? 0 : us / total }));
  return { byFunction: lines(fn), byFile: lines(file), totalMs: total / 1000 };
}

if (process.argv[1]?.endsWith('profile-summary.js')) {
  const [path, n] = process.argv.slice(2);
  if (path === undefined) throw new Error('usage: profile-summary FILE.cpuprofile [N]');
  const { byFunction, byFile, totalMs } = summariseProfile(path, Number(n ?? 25));
  const show = (title: string, lines: ProfileLine[]): void => {
    console.log(`\n${title} (total ${totalMs.toFixed(0)} ms)`);
    for (const l of lines)
      console.log(`${(l.share * 100).toFixed(1).padStart(5)}%  ${l.ms.toFixed(0).padStart(7)} ms  ${l.name}`);
  };
  show('self time by file', byFile);
  show('self time by function', byFunction);
}
