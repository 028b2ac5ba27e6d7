import { describe, expect, it } from 'vitest';
import { eventsOfDocument, PrincipalCache } from '../../src/actions/index-archive.js';
import type { TrailEvent } from '../../src/core/model.js';
import { principalOfEvent } from '../../src/core/principal.js';
import { readDocuments } from '../../src/io/read-documents.js';

describe('PrincipalCache', () => {
  it('gives every event of the examples the principal principalOfEvent gives it', async () => {
    const events: TrailEvent[] = [];
    for await (const read of readDocuments(['examples/cloudtrail'])) {
      if ('doc' in read) events.push(...eventsOfDocument(read.doc, read.source, true).events);
    }
    expect(events.length).toBeGreaterThan(10);
    const cache = new PrincipalCache();
    // Twice: the second pass is answered from the cache.
    for (const event of [...events, ...events]) expect(cache.of(event)).toEqual(principalOfEvent(event));
  });

  it('keeps apart events whose callers differ only in what the channel reads', () => {
    const base = {
      eventId: 'e1',
      eventName: 'PutObject',
      eventSource: 's3.amazonaws.com',
      eventTimeMs: 0,
      awsRegion: 'us-east-1',
      accountId: '123456789012',
      readOnly: false,
      userIdentity: { type: 'IAMUser', userName: 'bob', accountId: '123456789012' },
    } as unknown as TrailEvent;
    const cache = new PrincipalCache();
    const variants: TrailEvent[] = [
      base,
      { ...base, userAgent: 'console.amazonaws.com' },
      { ...base, sessionCredentialFromConsole: true } as TrailEvent,
      { ...base, sourceIPAddress: 'cloudformation.amazonaws.com' },
      { ...base, eventSource: 'signin.amazonaws.com' },
    ];
    for (const event of [...variants, ...variants]) expect(cache.of(event)).toEqual(principalOfEvent(event));
  });
});
