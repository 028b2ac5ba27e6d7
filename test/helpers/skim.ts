import { type RecordHead, type RecordTail, readHead, readTail } from '../../src/core/parse/trail-skim.js';

/** A record's head and tail, as the skim reads them from its bytes. */
export interface RecordEnvelope {
  readonly head: RecordHead;
  readonly tail: RecordTail;
}

/** The head and tail of the record in `[start, end)` of `buf`; undefined when either cannot be read. */
export function skimRecord(buf: Buffer, start: number, end: number): RecordEnvelope | undefined {
  const head = readHead(buf, start, end);
  if (head === undefined) return undefined;
  const tail = readTail(buf, start, end);
  return tail === undefined ? undefined : { head, tail };
}
