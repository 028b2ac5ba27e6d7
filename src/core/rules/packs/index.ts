/** The built-in rule packs, in the order their alerts are listed. */
import type { Rule } from '../model.js';
import { cloudtrailRules } from './cloudtrail.js';
import { configServiceRules } from './config-service.js';
import { guarddutyRules } from './guardduty.js';
import { iamRules } from './iam.js';
import { kmsRules } from './kms.js';
import { lambdaRules } from './lambda.js';
import { networkRules } from './network.js';
import { organizationsRules } from './organizations.js';
import { rootRules } from './root.js';
import { s3Rules } from './s3.js';
import { sharingRules } from './sharing.js';
import { signinRules } from './signin.js';

export const builtInPacks = {
  iam: iamRules,
  root: rootRules,
  signin: signinRules,
  cloudtrail: cloudtrailRules,
  config: configServiceRules,
  network: networkRules,
  s3: s3Rules,
  kms: kmsRules,
  guardduty: guarddutyRules,
  sharing: sharingRules,
  lambda: lambdaRules,
  organizations: organizationsRules,
} as const satisfies Record<string, readonly Rule[]>;

export const builtInRules: readonly Rule[] = Object.values(builtInPacks).flat();
