import type { Finding } from '../model.js';
import { type FindingGroup, groupFindings } from './group.js';
import { accepts, type RouteFilter } from './routing.js';

/** One message to send: a group of findings to one channel. */
export interface Delivery {
  readonly channel: string;
  readonly group: FindingGroup;
}

/**
 * Routes, then groups per channel: a channel that takes only part of a session's findings groups
 * only those. Deliveries come in channel order, then in order of each group's first finding.
 */
export function planDeliveries(
  findings: readonly Finding[],
  notifications: { readonly groupWindowMinutes: number; readonly channels: readonly RouteFilter[] },
): Delivery[] {
  const windowMs = notifications.groupWindowMinutes * 60_000;
  return notifications.channels.flatMap((channel) =>
    groupFindings(
      findings.filter((finding) => accepts(channel, finding)),
      { windowMs },
    ).map((group) => ({ channel: channel.name, group })),
  );
}
