/**
 * The names CloudTrail `LookupEvents` (attribute `ResourceName`) could find a record by, modelled
 * generously: every string anywhere in its request and response, and every resource ARN with its last
 * segment. CloudTrail's own extraction is narrower; a generous model favours the published designs.
 */
export interface LookupRecord {
  readonly eventID: string;
  readonly eventTime: string;
  readonly awsRegion: string;
  readonly recipientAccountId: string;
  readonly eventCategory?: string;
  readonly readOnly?: boolean;
  readonly errorCode?: string;
  readonly requestParameters?: unknown;
  readonly responseElements?: unknown;
  readonly resources?: readonly { readonly ARN?: string }[];
}

export function lookupNames(rec: LookupRecord): Set<string> {
  const names = new Set<string>();
  const visit = (value: unknown, depth: number): void => {
    if (depth > 8) return;
    if (typeof value === 'string') names.add(value);
    else if (Array.isArray(value)) for (const item of value) visit(item, depth + 1);
    else if (typeof value === 'object' && value !== null)
      for (const v of Object.values(value)) visit(v, depth + 1);
  };
  visit(rec.requestParameters, 0);
  visit(rec.responseElements, 0);
  for (const r of rec.resources ?? []) {
    if (r.ARN === undefined) continue;
    names.add(r.ARN);
    names.add(r.ARN.slice(Math.max(r.ARN.lastIndexOf('/'), r.ARN.lastIndexOf(':')) + 1));
  }
  return names;
}
