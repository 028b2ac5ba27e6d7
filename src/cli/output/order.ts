import { compareFindings as bySeverityThenTime } from '../../core/finding-info.js';
import type { AlertFinding, ChangeFinding, Finding } from '../../core/model.js';
import { compareFindings as changesFirstOutOfBand } from '../../pipeline.js';

/**
 * What a reader should see first: changes made outside IaC (the headline), then critical-action alerts,
 * most severe first, then the other changes (notified before suppressed).
 */
export function outputOrder(changes: readonly ChangeFinding[], alerts: readonly AlertFinding[]): Finding[] {
  const sorted = [...changes].sort(changesFirstOutOfBand);
  const outOfBand = sorted.filter((f) => f.verdict.outOfBand);
  const rest = sorted.filter((f) => !f.verdict.outOfBand);
  return [...outOfBand, ...[...alerts].sort(bySeverityThenTime), ...rest];
}
