/**
 * Lambda opened to anyone: function URLs without authentication, function policies for "*", layer versions
 * shared with every AWS account.
 */
import type { JsonObject, TrailEvent } from '../../model.js';
import { requestScalars, response, text } from '../inspect.js';
import type { Rule } from '../model.js';
import { parsePolicyDocument } from '../policy-document.js';
import { apiCall, SUCCEEDED } from './common.js';

function functionUrl(event: TrailEvent): JsonObject {
  const url = text(response(event, 'functionUrl'));
  return {
    ...requestScalars(event, 'functionName', 'qualifier', 'authType'),
    ...(url !== undefined && { functionUrl: url }),
  };
}

function permission(event: TrailEvent): JsonObject {
  return requestScalars(
    event,
    'functionName',
    'qualifier',
    'statementId',
    'action',
    'principal',
    'functionUrlAuthType',
  );
}

function layerPermission(event: TrailEvent): JsonObject {
  // The response's `statement` is the added policy statement as JSON text; its Resource is the layer version ARN.
  const statement = parsePolicyDocument(response(event, 'statement'));
  const arn = statement.ok ? text(statement.document['Resource']) : undefined;
  return {
    ...requestScalars(event, 'layerName', 'versionNumber', 'statementId', 'action', 'principal'),
    ...(arn !== undefined && { layerVersionArn: arn }),
  };
}

export const lambdaRules: readonly Rule[] = [
  {
    id: 'lambda.function-url-public',
    title: 'Lambda function URL without authentication',
    severity: 'high',
    description:
      'A function URL was created or changed with auth type NONE: anyone who finds the URL can invoke the function, and pay for it. Check that the function is meant to be a public endpoint and validates its input; otherwise use AWS_IAM. (Lambda event names carry an API version suffix, hence the prefix match.)',
    pattern: apiCall(
      'lambda',
      [{ prefix: 'CreateFunctionUrlConfig' }, { prefix: 'UpdateFunctionUrlConfig' }],
      {
        requestParameters: { authType: ['NONE'] },
        ...SUCCEEDED,
      },
    ),
    details: functionUrl,
  },
  {
    id: 'lambda.permission-public',
    title: 'Lambda function policy grants access to everyone',
    severity: 'high',
    description:
      'AddPermission granted principal "*" without a source account, source ARN or organization condition: any AWS account (or, with a function URL, anyone) can perform `action` on the function. Check that this is intended, for example the permission that a public function URL needs.',
    pattern: apiCall('lambda', [{ prefix: 'AddPermission' }], {
      requestParameters: {
        principal: ['*'],
        sourceArn: [{ exists: false }],
        sourceAccount: [{ exists: false }],
        principalOrgID: [{ exists: false }],
      },
      ...SUCCEEDED,
    }),
    details: permission,
  },
  {
    id: 'lambda.layer-permission-public',
    title: 'Lambda layer version shared with every AWS account',
    severity: 'medium',
    description:
      'AddLayerVersionPermission granted principal "*" without an organization: any AWS account can download this layer version (`layerVersionArn`), its code and whatever was packaged with it (configuration, keys, internal libraries), and use it in their own functions. Check that the layer is meant to be published, and that it holds no secrets; otherwise remove the statement (RemoveLayerVersionPermission) or share it with your organization only.',
    pattern: apiCall('lambda', [{ prefix: 'AddLayerVersionPermission' }], {
      requestParameters: { principal: ['*'], organizationId: [{ exists: false }] },
      ...SUCCEEDED,
    }),
    details: layerPermission,
  },
];
