/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type ChangeKind =
  | 'CREATED'
  | 'DELETED'
  | 'UPDATED';

/** A connection's last check, either kind (SenderStatus for a receiver, VerificationOutcome for a sender), or none yet */
export type CheckOutcome =
  | 'ACTIVE'
  | 'ERROR'
  | 'EXISTS'
  | 'EXPIRED'
  | 'NOT_CHECKED'
  | 'NOT_FOUND'
  | 'OFFLINE'
  | 'PENDING'
  | 'REVOKED'
  | 'SUSPENDED';

/** Every field given must match; outcome is the last check as stored (written behind the checks, within a second or so) */
export type ConnectionFilter = {
  readonly direction: Direction | null | undefined;
  readonly outcome: CheckOutcome | null | undefined;
  /** a part of the name or of the site URL, any case */
  readonly search: string | null | undefined;
  readonly status: ConnectionStatus | null | undefined;
  /** only these connections (at most MAX_UUIDS), e.g. the rows a page shows */
  readonly uuids: ReadonlyArray<string | number> | null | undefined;
};

export type ConnectionStatus =
  | 'ACTIVE'
  | 'EXPIRED'
  | 'PENDING'
  | 'REVOKED'
  | 'SUSPENDED';

export type CreateConnectionInput = {
  /** raw token; generated when omitted; only its hash is stored */
  readonly authToken: string | null | undefined;
  readonly direction: Direction;
  readonly name: string;
  /** for a sender: register the connection at the remote site now (register-connection) */
  readonly notifyRemote: boolean | null | undefined;
  /** the remote's incoming-connection password, sent with notifyRemote */
  readonly password: string | null | undefined;
  /** sets remote_notification.notification_success (default false); ignored with notifyRemote */
  readonly remoteNotified: boolean | null | undefined;
  readonly siteUrl: string;
  /** default PENDING for a sender, ACTIVE for a receiver */
  readonly status: ConnectionStatus | null | undefined;
};

export type Direction =
  | 'RECEIVER'
  | 'SENDER';

/** What the remote site answered when it was told about a local change */
export type RemoteNoticeOutcome =
  | 'DELETED'
  | 'ERROR'
  | 'NOT_FOUND'
  | 'OFFLINE'
  /** not sent: the new status is not one remotes are told about (pending, expired) */
  | 'SKIPPED'
  | 'UPDATED';

/** What the caller may do: ADMIN (ADMIN_TOKEN, or no token configured) or VIEWER (VIEWER_TOKEN: queries and subscriptions only) */
export type Role =
  | 'ADMIN'
  | 'VIEWER';

/** What the remote sender says about a receiver connection, or why it could not say */
export type SenderStatus =
  | 'ACTIVE'
  | 'ERROR'
  | 'EXPIRED'
  | 'NOT_FOUND'
  | 'OFFLINE'
  | 'PENDING'
  | 'REVOKED'
  | 'SUSPENDED';

export type VerificationOutcome =
  | 'ERROR'
  | 'EXISTS'
  | 'NOT_FOUND'
  | 'OFFLINE';

export type RowFieldsFragment = { readonly uuid: string, readonly name: string, readonly direction: Direction, readonly siteUrl: string, readonly status: ConnectionStatus, readonly suspendedReason: string | null, readonly lastSenderStatus: { readonly status: SenderStatus, readonly reason: string | null, readonly checkedAt: string, readonly durationMs: number } | null, readonly lastVerification: { readonly outcome: VerificationOutcome, readonly reason: string | null, readonly checkedAt: string, readonly durationMs: number } | null };

export type CountsQueryVariables = Exact<{ [key: string]: never; }>;


export type CountsQuery = { readonly viewer: { readonly role: Role }, readonly connectionCounts: ReadonlyArray<{ readonly direction: Direction, readonly outcome: CheckOutcome, readonly count: number }> };

export type PageQueryVariables = Exact<{
  first: number;
  after: string | null | undefined;
  filter: ConnectionFilter | null | undefined;
}>;


export type PageQuery = { readonly connectionPage: { readonly totalCount: number, readonly pageInfo: { readonly hasNextPage: boolean, readonly endCursor: string | null }, readonly edges: ReadonlyArray<{ readonly node: { readonly uuid: string, readonly name: string, readonly direction: Direction, readonly siteUrl: string, readonly status: ConnectionStatus, readonly suspendedReason: string | null, readonly lastSenderStatus: { readonly status: SenderStatus, readonly reason: string | null, readonly checkedAt: string, readonly durationMs: number } | null, readonly lastVerification: { readonly outcome: VerificationOutcome, readonly reason: string | null, readonly checkedAt: string, readonly durationMs: number } | null } }> } };

export type LastChecksQueryVariables = Exact<{
  uuid: string | number;
}>;


export type LastChecksQuery = { readonly connection: { readonly lastSenderStatus: { readonly status: SenderStatus, readonly reason: string | null, readonly checkedAt: string, readonly durationMs: number } | null, readonly lastVerification: { readonly outcome: VerificationOutcome, readonly reason: string | null, readonly checkedAt: string, readonly durationMs: number } | null } | null };

export type StatusChangedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type StatusChangedSubscription = { readonly statusChanged: { readonly connectionUuid: string, readonly at: string, readonly from: string | null, readonly to: string, readonly reason: string | null } };

export type ConnectionChangedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type ConnectionChangedSubscription = { readonly connectionChanged: { readonly kind: ChangeKind, readonly connectionUuid: string, readonly connection: { readonly uuid: string, readonly name: string, readonly direction: Direction, readonly siteUrl: string, readonly status: ConnectionStatus, readonly suspendedReason: string | null, readonly lastSenderStatus: { readonly status: SenderStatus, readonly reason: string | null, readonly checkedAt: string, readonly durationMs: number } | null, readonly lastVerification: { readonly outcome: VerificationOutcome, readonly reason: string | null, readonly checkedAt: string, readonly durationMs: number } | null } | null } };

export type StatusRoundsSubscriptionVariables = Exact<{
  every: number | null | undefined;
}>;


export type StatusRoundsSubscription = { readonly statusRounds: { readonly senderStatuses: ReadonlyArray<{ readonly connectionUuid: string, readonly status: SenderStatus, readonly reason: string | null, readonly checkedAt: string, readonly durationMs: number }>, readonly verifications: ReadonlyArray<{ readonly connectionUuid: string, readonly outcome: VerificationOutcome, readonly reason: string | null, readonly checkedAt: string, readonly durationMs: number }>, readonly severed: ReadonlyArray<{ readonly connection: { readonly uuid: string, readonly name: string, readonly direction: Direction, readonly siteUrl: string, readonly status: ConnectionStatus, readonly suspendedReason: string | null, readonly lastSenderStatus: { readonly status: SenderStatus, readonly reason: string | null, readonly checkedAt: string, readonly durationMs: number } | null, readonly lastVerification: { readonly outcome: VerificationOutcome, readonly reason: string | null, readonly checkedAt: string, readonly durationMs: number } | null } }> } };

export type CheckReceiversQueryVariables = Exact<{
  uuids: ReadonlyArray<string | number> | string | number | null | undefined;
}>;


export type CheckReceiversQuery = { readonly senderStatuses: ReadonlyArray<{ readonly connectionUuid: string, readonly status: SenderStatus, readonly reason: string | null, readonly checkedAt: string, readonly durationMs: number }> };

export type VerifySendersMutationVariables = Exact<{
  uuids: ReadonlyArray<string | number> | string | number | null | undefined;
}>;


export type VerifySendersMutation = { readonly verifyReceiverConnections: ReadonlyArray<{ readonly connectionUuid: string, readonly outcome: VerificationOutcome, readonly reason: string | null, readonly checkedAt: string, readonly durationMs: number }> };

export type SetStatusMutationVariables = Exact<{
  uuid: string | number;
  status: ConnectionStatus;
  reason: string | null | undefined;
}>;


export type SetStatusMutation = { readonly updateConnectionStatus: { readonly connection: { readonly uuid: string, readonly name: string, readonly direction: Direction, readonly siteUrl: string, readonly status: ConnectionStatus, readonly suspendedReason: string | null, readonly lastSenderStatus: { readonly status: SenderStatus, readonly reason: string | null, readonly checkedAt: string, readonly durationMs: number } | null, readonly lastVerification: { readonly outcome: VerificationOutcome, readonly reason: string | null, readonly checkedAt: string, readonly durationMs: number } | null }, readonly remoteNotice: { readonly outcome: RemoteNoticeOutcome, readonly reason: string | null } } };

export type RemoteSiteQueryVariables = Exact<{
  siteUrl: string;
}>;


export type RemoteSiteQuery = { readonly remoteSite: { readonly enabled: boolean, readonly incomingMode: string, readonly passwordRequired: boolean } };

export type CreateConnectionMutationVariables = Exact<{
  input: CreateConnectionInput;
}>;


export type CreateConnectionMutation = { readonly createConnection: { readonly authToken: string, readonly connection: { readonly uuid: string, readonly name: string, readonly direction: Direction, readonly siteUrl: string, readonly status: ConnectionStatus, readonly suspendedReason: string | null, readonly lastSenderStatus: { readonly status: SenderStatus, readonly reason: string | null, readonly checkedAt: string, readonly durationMs: number } | null, readonly lastVerification: { readonly outcome: VerificationOutcome, readonly reason: string | null, readonly checkedAt: string, readonly durationMs: number } | null }, readonly remoteNotification: { readonly success: boolean, readonly status: string, readonly message: string | null, readonly httpStatus: number | null } | null } };

export type RenameMutationVariables = Exact<{
  uuid: string | number;
  name: string;
}>;


export type RenameMutation = { readonly renameConnection: { readonly uuid: string, readonly name: string, readonly direction: Direction, readonly siteUrl: string, readonly status: ConnectionStatus, readonly suspendedReason: string | null, readonly lastSenderStatus: { readonly status: SenderStatus, readonly reason: string | null, readonly checkedAt: string, readonly durationMs: number } | null, readonly lastVerification: { readonly outcome: VerificationOutcome, readonly reason: string | null, readonly checkedAt: string, readonly durationMs: number } | null } };

export type DeleteMutationVariables = Exact<{
  uuid: string | number;
}>;


export type DeleteMutation = { readonly deleteConnection: { readonly deleted: boolean, readonly remoteNotice: { readonly outcome: RemoteNoticeOutcome, readonly reason: string | null } } };

export type DetailsQueryVariables = Exact<{
  first: number;
  uuids: ReadonlyArray<string | number> | string | number;
}>;


export type DetailsQuery = { readonly connectionPage: { readonly edges: ReadonlyArray<{ readonly node: { readonly uuid: string, readonly day: number | null, readonly month: number | null, readonly statusHistory: ReadonlyArray<{ readonly at: string, readonly from: string | null, readonly to: string, readonly reason: string | null }>, readonly daily: ReadonlyArray<{ readonly date: string, readonly uptime: number | null, readonly checks: number, readonly healthy: number, readonly maintenance: number, readonly p50Ms: number | null, readonly p95Ms: number | null }>, readonly maintenance: { readonly reason: string | null, readonly endsAt: string } | null } }> } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const RowFieldsFragmentDoc = new TypedDocumentString(`
    fragment RowFields on Connection {
  uuid
  name
  direction
  siteUrl
  status
  suspendedReason
  lastSenderStatus {
    status
    reason
    checkedAt
    durationMs
  }
  lastVerification {
    outcome
    reason
    checkedAt
    durationMs
  }
}
    `, {"fragmentName":"RowFields"}) as unknown as TypedDocumentString<RowFieldsFragment, unknown>;
export const CountsDocument = new TypedDocumentString(`
    query Counts {
  viewer {
    role
  }
  connectionCounts {
    direction
    outcome
    count
  }
}
    `) as unknown as TypedDocumentString<CountsQuery, CountsQueryVariables>;
export const PageDocument = new TypedDocumentString(`
    query Page($first: Int!, $after: String, $filter: ConnectionFilter) {
  connectionPage(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        ...RowFields
      }
    }
  }
}
    fragment RowFields on Connection {
  uuid
  name
  direction
  siteUrl
  status
  suspendedReason
  lastSenderStatus {
    status
    reason
    checkedAt
    durationMs
  }
  lastVerification {
    outcome
    reason
    checkedAt
    durationMs
  }
}`) as unknown as TypedDocumentString<PageQuery, PageQueryVariables>;
export const LastChecksDocument = new TypedDocumentString(`
    query LastChecks($uuid: ID!) {
  connection(uuid: $uuid) {
    lastSenderStatus {
      status
      reason
      checkedAt
      durationMs
    }
    lastVerification {
      outcome
      reason
      checkedAt
      durationMs
    }
  }
}
    `) as unknown as TypedDocumentString<LastChecksQuery, LastChecksQueryVariables>;
export const StatusChangedDocument = new TypedDocumentString(`
    subscription StatusChanged {
  statusChanged {
    connectionUuid
    at
    from
    to
    reason
  }
}
    `) as unknown as TypedDocumentString<StatusChangedSubscription, StatusChangedSubscriptionVariables>;
export const ConnectionChangedDocument = new TypedDocumentString(`
    subscription ConnectionChanged {
  connectionChanged {
    kind
    connectionUuid
    connection {
      ...RowFields
    }
  }
}
    fragment RowFields on Connection {
  uuid
  name
  direction
  siteUrl
  status
  suspendedReason
  lastSenderStatus {
    status
    reason
    checkedAt
    durationMs
  }
  lastVerification {
    outcome
    reason
    checkedAt
    durationMs
  }
}`) as unknown as TypedDocumentString<ConnectionChangedSubscription, ConnectionChangedSubscriptionVariables>;
export const StatusRoundsDocument = new TypedDocumentString(`
    subscription StatusRounds($every: Int) {
  statusRounds(everySeconds: $every) {
    senderStatuses {
      connectionUuid
      status
      reason
      checkedAt
      durationMs
    }
    verifications {
      connectionUuid
      outcome
      reason
      checkedAt
      durationMs
    }
    severed {
      connection {
        ...RowFields
      }
    }
  }
}
    fragment RowFields on Connection {
  uuid
  name
  direction
  siteUrl
  status
  suspendedReason
  lastSenderStatus {
    status
    reason
    checkedAt
    durationMs
  }
  lastVerification {
    outcome
    reason
    checkedAt
    durationMs
  }
}`) as unknown as TypedDocumentString<StatusRoundsSubscription, StatusRoundsSubscriptionVariables>;
export const CheckReceiversDocument = new TypedDocumentString(`
    query CheckReceivers($uuids: [ID!]) {
  senderStatuses(uuids: $uuids) {
    connectionUuid
    status
    reason
    checkedAt
    durationMs
  }
}
    `) as unknown as TypedDocumentString<CheckReceiversQuery, CheckReceiversQueryVariables>;
export const VerifySendersDocument = new TypedDocumentString(`
    mutation VerifySenders($uuids: [ID!]) {
  verifyReceiverConnections(uuids: $uuids) {
    connectionUuid
    outcome
    reason
    checkedAt
    durationMs
  }
}
    `) as unknown as TypedDocumentString<VerifySendersMutation, VerifySendersMutationVariables>;
export const SetStatusDocument = new TypedDocumentString(`
    mutation SetStatus($uuid: ID!, $status: ConnectionStatus!, $reason: String) {
  updateConnectionStatus(uuid: $uuid, status: $status, reason: $reason) {
    connection {
      ...RowFields
    }
    remoteNotice {
      outcome
      reason
    }
  }
}
    fragment RowFields on Connection {
  uuid
  name
  direction
  siteUrl
  status
  suspendedReason
  lastSenderStatus {
    status
    reason
    checkedAt
    durationMs
  }
  lastVerification {
    outcome
    reason
    checkedAt
    durationMs
  }
}`) as unknown as TypedDocumentString<SetStatusMutation, SetStatusMutationVariables>;
export const RemoteSiteDocument = new TypedDocumentString(`
    query RemoteSite($siteUrl: String!) {
  remoteSite(siteUrl: $siteUrl) {
    enabled
    incomingMode
    passwordRequired
  }
}
    `) as unknown as TypedDocumentString<RemoteSiteQuery, RemoteSiteQueryVariables>;
export const CreateConnectionDocument = new TypedDocumentString(`
    mutation CreateConnection($input: CreateConnectionInput!) {
  createConnection(input: $input) {
    authToken
    connection {
      ...RowFields
    }
    remoteNotification {
      success
      status
      message
      httpStatus
    }
  }
}
    fragment RowFields on Connection {
  uuid
  name
  direction
  siteUrl
  status
  suspendedReason
  lastSenderStatus {
    status
    reason
    checkedAt
    durationMs
  }
  lastVerification {
    outcome
    reason
    checkedAt
    durationMs
  }
}`) as unknown as TypedDocumentString<CreateConnectionMutation, CreateConnectionMutationVariables>;
export const RenameDocument = new TypedDocumentString(`
    mutation Rename($uuid: ID!, $name: String!) {
  renameConnection(uuid: $uuid, name: $name) {
    ...RowFields
  }
}
    fragment RowFields on Connection {
  uuid
  name
  direction
  siteUrl
  status
  suspendedReason
  lastSenderStatus {
    status
    reason
    checkedAt
    durationMs
  }
  lastVerification {
    outcome
    reason
    checkedAt
    durationMs
  }
}`) as unknown as TypedDocumentString<RenameMutation, RenameMutationVariables>;
export const DeleteDocument = new TypedDocumentString(`
    mutation Delete($uuid: ID!) {
  deleteConnection(uuid: $uuid) {
    deleted
    remoteNotice {
      outcome
      reason
    }
  }
}
    `) as unknown as TypedDocumentString<DeleteMutation, DeleteMutationVariables>;
export const DetailsDocument = new TypedDocumentString(`
    query Details($first: Int!, $uuids: [ID!]!) {
  connectionPage(first: $first, filter: {uuids: $uuids}) {
    edges {
      node {
        uuid
        statusHistory(limit: 200) {
          at
          from
          to
          reason
        }
        day: uptime(window: DAY)
        month: uptime(window: MONTH)
        daily(days: 90) {
          date
          uptime
          checks
          healthy
          maintenance
          p50Ms
          p95Ms
        }
        maintenance {
          reason
          endsAt
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DetailsQuery, DetailsQueryVariables>;