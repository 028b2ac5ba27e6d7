// Verbs of API calls that do not change a resource. "Encrypt", "Decrypt" and "GenerateDataKey" are KMS
// calls CloudTrail itself marks readOnly. "Sign" is left out on purpose: it would also match "SignUp".
const READ_VERBS = [
  'BatchDescribe',
  'BatchGet',
  'Check',
  'Decrypt',
  'Describe',
  'Download',
  'Encrypt',
  'Estimate',
  'Get',
  'GenerateDataKey',
  'GenerateMac',
  'GenerateRandom',
  'Head',
  'List',
  'Lookup',
  'Preview',
  'Query',
  'Scan',
  'Search',
  'Select',
  'Simulate',
  'Test',
  'Validate',
  'Verify',
];

const alternatives = READ_VERBS.map((verb) => `[${verb[0]}${verb[0]?.toLowerCase()}]${verb.slice(1)}`);
// The verb must end at a word boundary of the PascalCase name: "GetObject" is a read, "Getaway" is not.
const READ_NAME = new RegExp(`^(?:${alternatives.join('|')})(?:[A-Z0-9_]|$)`);

/**
 * Whether an event name reads rather than writes, for records that lack `readOnly` (older or trimmed
 * ones). Anything not recognised as a read counts as a write, so that no change goes unindexed.
 */
export function inferReadOnly(eventName: string): boolean {
  return READ_NAME.test(eventName);
}
