import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';

/** The public data sets under ../shared/datasets; absent in a fresh clone, so tests that read them skip. */
export const datasetsDir = new URL('../../../shared/datasets/', import.meta.url).pathname;

export interface DatasetRecord {
  readonly file: string;
  readonly record: unknown;
}

function recordsOfText(text: string): unknown[] {
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed)) return parsed;
    if (typeof parsed === 'object' && parsed !== null && 'Records' in parsed) {
      const records = (parsed as { Records: unknown }).Records;
      return Array.isArray(records) ? records : [];
    }
    return [parsed];
  } catch {
    // Some exports are one JSON object per line.
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as unknown);
  }
}

/** The entries of a zip file (stored or deflated), read from its central directory. */
function zipEntries(buffer: Buffer): { name: string; text: string }[] {
  const endOfDirectory = buffer.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buffer.readUInt16LE(endOfDirectory + 10);
  let cursor = buffer.readUInt32LE(endOfDirectory + 16);
  const entries: { name: string; text: string }[] = [];
  for (let i = 0; i < count; i++) {
    const method = buffer.readUInt16LE(cursor + 10);
    const compressedSize = buffer.readUInt32LE(cursor + 20);
    const nameLength = buffer.readUInt16LE(cursor + 28);
    const extraLength = buffer.readUInt16LE(cursor + 30);
    const commentLength = buffer.readUInt16LE(cursor + 32);
    const localHeader = buffer.readUInt32LE(cursor + 42);
    const name = buffer.toString('utf8', cursor + 46, cursor + 46 + nameLength);
    const dataStart =
      localHeader + 30 + buffer.readUInt16LE(localHeader + 26) + buffer.readUInt16LE(localHeader + 28);
    const data = buffer.subarray(dataStart, dataStart + compressedSize);
    if (!name.endsWith('/')) {
      entries.push({ name, text: (method === 8 ? inflateRawSync(data) : data).toString('utf8') });
    }
    cursor += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Every record of the .json files (and the .json files inside .zip files) under a data set folder. */
export function datasetRecords(dir: string): DatasetRecord[] {
  return filesUnder(dir).flatMap((file) => {
    if (file.endsWith('.json')) {
      return recordsOfText(readFileSync(file, 'utf8')).map((record) => ({ file, record }));
    }
    if (file.endsWith('.zip')) {
      return zipEntries(readFileSync(file))
        .filter((entry) => entry.name.endsWith('.json'))
        .flatMap((entry) =>
          recordsOfText(entry.text).map((record) => ({ file: `${file}!${entry.name}`, record })),
        );
    }
    return [];
  });
}
