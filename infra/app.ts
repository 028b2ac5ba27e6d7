/**
 * The CDK app `npx cdk deploy` runs (see cdk.json): `npx cdk deploy -c config=examples/cloudblame.yaml`.
 * Settings come from context or environment variables (see buildApp in stack.ts); the cdk-nag
 * AwsSolutions checks run at synthesis and stop it on any unacknowledged finding.
 */
import { buildApp } from './stack.js';

const { app, configFile } = buildApp();
if (configFile === undefined) {
  process.stderr.write(
    'cloudblame: no configuration file given (-c config=path/to/cloudblame.yaml or CLOUDBLAME_CONFIG_FILE); deploying the default configuration\n',
  );
}
app.synth();
