import type { IacStatus } from './iac.js';

/** Why a check decided what it did, as data; `reasonText` turns it into the line people read. */
export type Because =
  | { readonly kind: 'resource-type-excluded'; readonly resourceType: string; readonly pattern: string }
  | {
      readonly kind: 'resource-type-not-included';
      readonly resourceType: string;
      readonly include: readonly string[];
    }
  | { readonly kind: 'unattributed'; readonly reason: string }
  | { readonly kind: 'iac-status'; readonly iac: IacStatus }
  | { readonly kind: 'aws-service'; readonly service: string }
  | {
      readonly kind: 'trusted-principal';
      readonly arn: string;
      readonly pattern: string;
      readonly reason?: string | undefined;
    }
  | {
      readonly kind: 'trusted-user-agent';
      readonly userAgent: string;
      readonly pattern: string;
      readonly reason?: string | undefined;
    }
  | { readonly kind: 'out-of-band'; readonly tag: string; readonly before: boolean; readonly by: string }
  | { readonly kind: 'untrusted'; readonly by: string; readonly iac: IacStatus };

const oversizedNote =
  'IaC status unknown: the configuration item is oversized, so its tags were not delivered';

function shorten(text: string, max = 100): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

function withReason(text: string, reason: string | undefined): string {
  return reason === undefined || reason === '' ? text : `${text} (${reason})`;
}

function tagText(tag: string, before: boolean | undefined): string {
  return before === true ? `tag ${tag} before this change` : `tag ${tag}`;
}

function iacText(iac: IacStatus): string {
  if (iac.managed === true) return `resource is IaC-managed (${tagText(iac.tag, iac.before)})`;
  if (iac.managed === 'unknown') return oversizedNote;
  return 'resource not IaC-tagged';
}

export function reasonText(because: Because): string {
  switch (because.kind) {
    case 'resource-type-excluded':
      return `resource type ${because.resourceType} is excluded by resourceTypes.exclude pattern "${because.pattern}"`;
    case 'resource-type-not-included':
      return `resource type ${because.resourceType} matches no resourceTypes.include pattern (${because.include.map((glob) => `"${glob}"`).join(', ')})`;
    case 'unattributed':
      return `no CloudTrail event found: ${because.reason}`;
    case 'iac-status':
      return iacText(because.iac);
    case 'aws-service':
      return `made by AWS service ${because.service}`;
    case 'trusted-principal':
      return withReason(`trusted principal ${because.arn} matched ${because.pattern}`, because.reason);
    case 'trusted-user-agent':
      return withReason(
        `trusted user agent "${shorten(because.userAgent)}" matched "${because.pattern}"`,
        because.reason,
      );
    case 'out-of-band':
      return `out-of-band: resource is managed by IaC (${tagText(because.tag, because.before)}) but was changed by ${because.by}`;
    case 'untrusted': {
      const iac =
        because.iac.managed === 'unknown'
          ? 'IaC status unknown for an oversized item'
          : 'resource not IaC-tagged';
      return `changed by ${because.by} (not a trusted principal; ${iac})`;
    }
  }
}
