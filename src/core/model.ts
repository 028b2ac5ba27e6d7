/**
 * The shared vocabulary of cloudblame. Everything here is plain data so that the same values flow
 * through the CLI, the Lambda handlers and the renderers without conversion.
 */

/** A JSON object whose fields we have not validated (yet). */
export type JsonObject = { [key: string]: unknown };

/** Where a record came from, so an error or a finding can point back at it. */
export interface SourceRef {
  /** A file path, an SQS message id, or another name for the document. */
  readonly source: string;
  /** Zero-based index of the record within the document, when the document holds several. */
  readonly record?: number;
}

export interface TrailResource {
  readonly ARN?: string;
  readonly accountId?: string;
  readonly type?: string;
}

/** One CloudTrail record, validated. `raw` keeps every field, including ones this type does not name. */
export interface TrailEvent {
  readonly eventId: string;
  readonly eventName: string;
  readonly eventSource: string;
  /** ISO-8601 UTC, as CloudTrail wrote it. */
  readonly eventTime: string;
  readonly eventTimeMs: number;
  readonly awsRegion: string;
  /** The account the event was delivered to; falls back to userIdentity.accountId. */
  readonly accountId: string;
  /** From the record, or inferred from the event name (Describe/Get/List/... are reads) when absent. */
  readonly readOnly: boolean;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly userAgent?: string;
  readonly sourceIPAddress?: string;
  readonly eventType?: string;
  readonly eventCategory?: string;
  readonly sessionCredentialFromConsole?: boolean;
  readonly userIdentity: JsonObject;
  readonly requestParameters: JsonObject | null;
  readonly responseElements: JsonObject | null;
  readonly additionalEventData?: JsonObject;
  readonly resources: readonly TrailResource[];
  readonly raw: JsonObject;
  readonly ref: SourceRef;
}

export type PrincipalType =
  | 'Root'
  | 'IAMUser'
  | 'AssumedRole'
  | 'FederatedUser'
  | 'AWSService'
  | 'AWSAccount'
  | 'SAMLUser'
  | 'WebIdentityUser'
  | 'IdentityCenterUser'
  | 'Unknown';

/** How the call was made. */
export type Channel = 'console' | 'cli' | 'sdk' | 'terraform' | 'cloudformation' | 'aws-service' | 'unknown';

export interface Principal {
  readonly type: PrincipalType;
  /** The caller's ARN as CloudTrail gives it (for roles, the assumed-role session ARN). */
  readonly arn?: string;
  readonly accountId?: string;
  readonly principalId?: string;
  readonly userName?: string;
  /** For assumed roles: the role's own ARN (sessionIssuer.arn). */
  readonly roleArn?: string;
  readonly roleName?: string;
  readonly sessionName?: string;
  /** Set for IAM Identity Center sessions (AWSReservedSSO_<set>_<hash>) and IdentityCenterUser identities. */
  readonly identityCenter?: { readonly permissionSet?: string; readonly user?: string };
  /** The AWS service that made the call on the principal's behalf (userIdentity.invokedBy). */
  readonly invokedBy?: string;
  readonly sourceIdentity?: string;
  readonly onBehalfOf?: { readonly userId?: string; readonly identityStoreArn?: string };
  readonly channel: Channel;
  /** A line a person can read, e.g. `alice@example.com via AWSReservedSSO_Admin (console)`. */
  readonly display: string;
}

/** An identifier an event refers to: an id, a name or an ARN, with the resource type when it can be told. */
export interface Identifier {
  readonly value: string;
  readonly resourceType?: string;
  /** Where it was found, e.g. `requestParameters.groupId`. */
  readonly path: string;
}

/**
 * The compact form of a successful write event that the event index stores. Small on purpose:
 * the DynamoDB adapter writes it as one item per identifier.
 */
export interface IndexedEvent {
  readonly eventId: string;
  readonly eventName: string;
  readonly eventSource: string;
  readonly eventTimeMs: number;
  readonly awsRegion: string;
  readonly accountId: string;
  readonly principal: Principal;
  readonly userAgent?: string;
  readonly sourceIPAddress?: string;
  readonly identifiers: readonly Identifier[];
  /**
   * Identifiers that name the same resource in different ways, learnt from this event (a CreateRole
   * response ties the role id to its name and ARN; an AssociateRouteTable response ties an association
   * id to its route table). The correlator follows them one hop.
   */
  readonly aliases: readonly (readonly string[])[];
}

export type ChangeType = 'CREATE' | 'UPDATE' | 'DELETE';

export interface ChangedProperty {
  /** As AWS Config names it, e.g. `Configuration.IpPermissions.0` or `SupplementaryConfiguration.Tags`. */
  readonly path: string;
  readonly changeType: ChangeType;
  readonly previousValue?: unknown;
  readonly updatedValue?: unknown;
}

export type ConfigEnvelope =
  | 'eventbridge'
  | 'sns'
  | 'notification'
  | 'oversized-notification'
  | 'history-file'
  | 'snapshot-file'
  | 'api-history'
  | 'bare-ci';

/** One AWS Config configuration-item change. */
export interface ConfigChange {
  readonly resourceType: string;
  readonly resourceId: string;
  readonly resourceName?: string;
  readonly arn?: string;
  readonly accountId: string;
  readonly awsRegion: string;
  readonly captureTime: string;
  readonly captureTimeMs: number;
  readonly configurationStateId?: string;
  readonly status?: string;
  readonly changeType: ChangeType;
  readonly changedProperties: readonly ChangedProperty[];
  readonly tags: Readonly<Record<string, string>>;
  /** CloudTrail event ids Config itself related to the change (often empty). */
  readonly relatedEvents: readonly string[];
  /** True for an OversizedConfigurationItemChangeNotification: only the summary is known. */
  readonly oversized: boolean;
  /** Where to fetch the full item for an oversized change, when AWS gave it. */
  readonly s3DeliveryUri?: string;
  readonly envelope: ConfigEnvelope;
  readonly ref: SourceRef;
  /** The configuration item as delivered (absent for oversized changes). */
  readonly item?: JsonObject;
}

export type Attribution =
  | {
      readonly status: 'attributed';
      readonly event: IndexedEvent;
      /** Other events that changed the resource in the window, most likely first. */
      readonly others: readonly IndexedEvent[];
      /** The change's keys that matched the primary event, e.g. `resourceName=web-sg`. */
      readonly matchedOn: readonly string[];
      /** Where the match came from: the local index or a CloudTrail LookupEvents fallback. */
      readonly via: 'index' | 'lookup-events' | 'related-event';
      /**
       * Why the event is a weaker match (`call in us-west-2`, `deletes, change is a creation`), when no
       * candidate without such a flaw was found. @default none: a clean match
       */
      readonly caveats?: readonly string[];
    }
  | {
      readonly status: 'unattributed';
      readonly reason: string;
    };

export interface Verdict {
  readonly action: 'notify' | 'suppress';
  /** The resource is IaC-managed and was changed by someone the policy does not trust. */
  readonly outOfBand: boolean;
  readonly iacManaged: boolean;
  readonly reasons: readonly string[];
}

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

export interface ChangeFinding {
  readonly kind: 'change';
  readonly change: ConfigChange;
  readonly attribution: Attribution;
  readonly verdict: Verdict;
  readonly severity: Severity;
}

export interface AlertFinding {
  readonly kind: 'alert';
  readonly rule: {
    readonly id: string;
    readonly severity: Severity;
    readonly title: string;
    readonly description: string;
  };
  readonly event: TrailEvent;
  readonly principal: Principal;
  readonly details: JsonObject;
}

export type Finding = ChangeFinding | AlertFinding;
