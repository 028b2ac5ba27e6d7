import { describe, expect, it } from 'vitest';
import {
  escapeSlack,
  escapeSlackPlain,
  escapeTeams,
  neutraliseMentions,
  plainText,
  slackCode,
  truncate,
  truncateEscaped,
} from '../../../src/core/render/escape.js';

const ESC = '\u001b';

describe('plainText', () => {
  it('strips ANSI sequences whole, control characters and bidi overrides', () => {
    expect(plainText(`${ESC}[31mred${ESC}[0m ok`)).toBe('red ok');
    expect(plainText(`${ESC}]8;;https://evil${ESC}\\link${ESC}]8;;\u0007 x`)).toBe('link x');
    expect(plainText('a\u0000b\u0007c\u007fd\u009be')).toBe('abcd');
    expect(plainText('\u202egnp.exe\u2066x\u2069')).toBe('gnp.exex');
  });

  it('keeps line breaks unless single-line', () => {
    expect(plainText('a\r\nb\tc\u2028d')).toBe('a\nb\tc\nd');
    expect(plainText('a\r\nb\tc\u2028d', { singleLine: true })).toBe('a b c d');
  });
});

describe('mentions', () => {
  it('neutralises @channel, @here and @everyone in any case but leaves e-mail addresses', () => {
    const out = neutraliseMentions('@channel @HERE @everyone alice@example.com');
    expect(out).not.toMatch(/@(channel|here|everyone)/i);
    expect(out).toContain('alice@example.com');
  });
});

describe('Slack', () => {
  it('turns control sequences into entities and formatting characters into look-alikes', () => {
    const out = escapeSlack('<!channel> <https://evil|click> *bold* _it_ ~s~ `c` a & b');
    expect(out).not.toContain('<');
    expect(out).not.toContain('>');
    expect(out).toContain('&lt;!channel&gt;');
    expect(out).toContain('a &amp; b');
    expect(out).not.toMatch(/[*_~`]/);
  });

  it('keeps a quote from starting a line', () => {
    expect(escapeSlack('> quoted\n> again')).toBe('\u200b&gt; quoted\n\u200b&gt; again');
  });

  it('wraps identifiers in inline code that cannot be closed early', () => {
    expect(slackCode('AWSReservedSSO_Admin_*x*')).toBe('`AWSReservedSSO_Admin_*x*`');
    expect(slackCode('a`b<c>')).toBe('`a\u02cbb&lt;c&gt;`');
    expect(slackCode('  ')).toBe('`-`');
    expect(slackCode('a\nb')).toBe('`a b`');
  });

  it('escapes plain_text for headers', () => {
    expect(escapeSlackPlain('<!here> & @channel')).toBe('&lt;!here&gt; &amp; @\u2060channel');
  });
});

describe('Teams', () => {
  it('backslash-escapes the markdown subset, functions and list markers', () => {
    const out = escapeTeams('[x](https://evil) **b** _i_ <at>bob</at> {{DATE(2024-01-01T00:00:00Z)}} \\[y]');
    expect(out).toBe(
      '\\[x\\](https://evil) \\*\\*b\\*\\* \\_i\\_ \\<at\\>bob\\</at\\> {\u2060{DATE(2024-01-01T00:00:00Z)}} \\\\\\[y\\]',
    );
    expect(escapeTeams('AWSReservedSSO_Admin (console)')).toBe('AWSReservedSSO_Admin (console)');
    expect(escapeTeams('# heading')).toBe('\\# heading');
    expect(escapeTeams('- item')).toBe('\\- item');
    expect(escapeTeams('1. item')).toBe('1\\. item');
    expect(escapeTeams('@here')).toBe('@\u2060here');
  });
});

describe('truncate', () => {
  it('leaves short text alone and ends long text with a visible note', () => {
    expect(truncate('short', 10)).toBe('short');
    const long = 'x'.repeat(10_000);
    const out = truncate(long, 3000);
    expect(out.length).toBeLessThanOrEqual(3000);
    const dropped = Number(/truncated, (\d+) more characters\)$/.exec(out)?.[1]);
    expect(out.indexOf('…') + dropped).toBe(long.length);
  });

  it('never splits a surrogate pair and cuts hard below the note length', () => {
    const out = truncate('😀'.repeat(100), 60);
    expect(out.length).toBeLessThanOrEqual(60);
    expect(out.charCodeAt(out.indexOf('…') - 1)).not.toBe(0xd83d);
    expect(truncate('abcdefghij', 4)).toBe('abcd');
  });

  it('does not cut inside an entity or leave a code span open', () => {
    const text = `\`${'&amp;'.repeat(1000)}\``;
    const out = truncateEscaped(text, 200);
    expect(out.length).toBeLessThanOrEqual(200);
    const head = out.slice(0, out.indexOf('… (truncated'));
    expect(head).toMatch(/(&amp;)+`$/);
    expect((head.match(/`/g) ?? []).length % 2).toBe(0);
    expect(truncateEscaped('\\'.repeat(400), 100).length).toBeLessThanOrEqual(100);
  });
});
