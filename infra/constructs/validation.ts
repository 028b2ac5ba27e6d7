/**
 * Prop validation with messages in the style of the AWS CDK: the rule, the value given, and the fix.
 */
import { type Duration, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Thrown while the construct tree is built, for a prop or configuration value that cannot deploy. */
export class CloudBlameValidationError extends Error {
  override readonly name = 'CloudBlameValidationError';

  constructor(scope: IConstruct, message: string) {
    super(`${message} (at ${scope.node.path})`);
  }
}

function formatNumber(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 6 });
}

/** `value` must lie in [min, max]; unresolved tokens pass. */
export function requireBetween(
  scope: IConstruct,
  prop: string,
  value: number,
  min: number,
  max: number,
  unit = '',
): number {
  if (Token.isUnresolved(value)) return value;
  const suffix = unit === '' ? '' : ` ${unit}`;
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new CloudBlameValidationError(
      scope,
      `${prop} must be between ${formatNumber(min)} and ${formatNumber(max)}${suffix}, but ${formatNumber(value)} was provided`,
    );
  }
  return value;
}

/** A Duration as a whole number of `unit`s within [min, max]. */
export function wholeDuration(
  scope: IConstruct,
  prop: string,
  duration: Duration,
  unit: 'minutes' | 'hours' | 'days',
  min: number,
  max: number,
): number {
  const inUnit = (d: Duration) =>
    unit === 'minutes'
      ? d.toMinutes({ integral: false })
      : unit === 'hours'
        ? d.toHours({ integral: false })
        : d.toDays({ integral: false });
  const value = inUnit(duration);
  if (!Number.isInteger(value)) {
    throw new CloudBlameValidationError(
      scope,
      `${prop} must be a whole number of ${unit}, but ${duration.toHumanString()} was provided; use Duration.${unit}(n)`,
    );
  }
  return requireBetween(scope, prop, value, min, max, unit);
}
