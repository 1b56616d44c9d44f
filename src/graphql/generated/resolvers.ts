import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { Connection as ConnectionModel, RemoteNotification as RemoteNotificationModel } from '../../Domain/Connection.js';
import type { SenderStatusFetched as SenderStatusFetchedModel, ReceiverVerification as ReceiverVerificationModel, ReceiverConnectionSevered as ReceiverConnectionSeveredModel, StatusRoundCompleted as StatusRoundCompletedModel, SeveringHeld as SeveringHeldModel, StatusRound as StatusRoundModel, ConnectionChange as ConnectionChangeModel } from '../../Domain/Events.js';
import type { StatusChange as StatusChangeModel } from '../../Domain/StatusChange.js';
import type { RemoteNotice as RemoteNoticeModel } from '../../Domain/RemoteNotice.js';
import type { Maintenance as MaintenanceModel } from '../../Domain/Maintenance.js';
import type { ConnectionPage as ConnectionPageModel } from '../../Connections.js';
export type Maybe<T> = T | null;
export type InputMaybe<T> = T | null | undefined;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** ISO-8601 UTC date-time, e.g. 2026-05-13T10:00:00Z */
  DateTime: { input: string; output: unknown; }
};

export type ChangeKind =
  | 'created'
  | 'deleted'
  | 'updated';

/** A connection's last check, either kind (SenderStatus for a receiver, VerificationOutcome for a sender), or none yet */
export type CheckOutcome =
  | 'active'
  | 'error'
  | 'exists'
  | 'expired'
  | 'not_checked'
  | 'not_found'
  | 'offline'
  | 'pending'
  | 'revoked'
  | 'suspended';

export type Connection = {
  readonly __typename?: 'Connection';
  readonly approvedAt: Maybe<Scalars['DateTime']['output']>;
  /** the last days (UTC), oldest first and today last; days 1 to ROLLUP_RETENTION_DAYS */
  readonly daily: ReadonlyArray<DailyStatus>;
  readonly direction: Direction;
  readonly insertedAt: Scalars['DateTime']['output'];
  /** a receiver's last sender status, as checked (null for a sender, or until the first check) */
  readonly lastSenderStatus: Maybe<SenderStatusFetched>;
  /** a sender's last verification, as checked (null for a receiver, or until the first check) */
  readonly lastVerification: Maybe<ReceiverVerification>;
  /** the maintenance window covering the connection now, if any */
  readonly maintenance: Maybe<Maintenance>;
  readonly name: Scalars['String']['output'];
  readonly remoteNotification: Maybe<RemoteNotification>;
  /** true when the remote confirmed the registration (a sender is then verified against it) */
  readonly remoteNotified: Scalars['Boolean']['output'];
  /** the response times of the window's answered checks (OFFLINE has none) */
  readonly responseTime: ResponseTime;
  readonly revokedAt: Maybe<Scalars['DateTime']['output']>;
  readonly revokedReason: Maybe<Scalars['String']['output']>;
  readonly siteUrl: Scalars['String']['output'];
  readonly status: ConnectionStatus;
  /** null until the status is changed after creation */
  readonly statusChangedBy: Maybe<StatusActor>;
  /** changes of the check outcome (and severs), newest first; limit 1 to 1000 */
  readonly statusHistory: ReadonlyArray<StatusChange>;
  readonly suspendedAt: Maybe<Scalars['DateTime']['output']>;
  readonly suspendedReason: Maybe<Scalars['String']['output']>;
  readonly updatedAt: Scalars['DateTime']['output'];
  /** the share of checks that found the connection held (ACTIVE, EXISTS) over the window's last hours, 0 to 1; checks under maintenance are left out; null without checks */
  readonly uptime: Maybe<Scalars['Float']['output']>;
  readonly uuid: Scalars['ID']['output'];
};


export type ConnectionDailyArgs = {
  days?: InputMaybe<Scalars['Int']['input']>;
};


export type ConnectionResponseTimeArgs = {
  window: UptimeWindow;
};


export type ConnectionStatusHistoryArgs = {
  limit?: InputMaybe<Scalars['Int']['input']>;
};


export type ConnectionUptimeArgs = {
  window: UptimeWindow;
};

export type ConnectionChange = {
  readonly __typename?: 'ConnectionChange';
  /** the connection after the change; null when deleted */
  readonly connection: Maybe<Connection>;
  readonly connectionUuid: Scalars['ID']['output'];
  readonly kind: ChangeKind;
};

/** How many connections have one direction, status and last check's outcome */
export type ConnectionCount = {
  readonly __typename?: 'ConnectionCount';
  readonly count: Scalars['Int']['output'];
  readonly direction: Direction;
  readonly outcome: CheckOutcome;
  readonly status: ConnectionStatus;
};

export type ConnectionEdge = {
  readonly __typename?: 'ConnectionEdge';
  /** opaque: pass it as after to read the rows that follow this one */
  readonly cursor: Scalars['String']['output'];
  readonly node: Connection;
};

/** Every field given must match; outcome is the last check as stored (written behind the checks, within a second or so) */
export type ConnectionFilter = {
  readonly direction?: InputMaybe<Direction>;
  readonly outcome?: InputMaybe<CheckOutcome>;
  /** a part of the name or of the site URL, any case */
  readonly search?: InputMaybe<Scalars['String']['input']>;
  readonly status?: InputMaybe<ConnectionStatus>;
  /** only these connections (at most MAX_UUIDS), e.g. the rows a page shows */
  readonly uuids?: InputMaybe<ReadonlyArray<Scalars['ID']['input']>>;
};

/** Connections in (name, uuid) order, a page at a time */
export type ConnectionPage = {
  readonly __typename?: 'ConnectionPage';
  readonly edges: ReadonlyArray<ConnectionEdge>;
  readonly pageInfo: PageInfo;
  /** the rows the filter matches, every page together (one count in the store) */
  readonly totalCount: Scalars['Int']['output'];
};

export type ConnectionStatus =
  | 'active'
  | 'expired'
  | 'pending'
  | 'revoked'
  | 'suspended';

export type CreateConnectionInput = {
  /** raw token; generated when omitted; only its hash is stored */
  readonly authToken?: InputMaybe<Scalars['String']['input']>;
  readonly direction: Direction;
  readonly name: Scalars['String']['input'];
  /** for a sender: register the connection at the remote site now (register-connection) */
  readonly notifyRemote?: InputMaybe<Scalars['Boolean']['input']>;
  /** the remote's incoming-connection password, sent with notifyRemote */
  readonly password?: InputMaybe<Scalars['String']['input']>;
  /** sets remote_notification.notification_success (default false); ignored with notifyRemote */
  readonly remoteNotified?: InputMaybe<Scalars['Boolean']['input']>;
  readonly siteUrl: Scalars['String']['input'];
  /** default PENDING for a sender, ACTIVE for a receiver */
  readonly status?: InputMaybe<ConnectionStatus>;
};

export type CreateConnectionPayload = {
  readonly __typename?: 'CreateConnectionPayload';
  /** the raw token, shown once */
  readonly authToken: Scalars['String']['output'];
  readonly connection: Connection;
  /** the remote's answer when notifyRemote was asked for a sender */
  readonly remoteNotification: Maybe<RemoteNotification>;
};

/** siteUrl or uuids, one of them; endsAt after startsAt, at most 366 days later */
export type CreateMaintenanceInput = {
  readonly endsAt: Scalars['DateTime']['input'];
  readonly reason?: InputMaybe<Scalars['String']['input']>;
  readonly siteUrl?: InputMaybe<Scalars['String']['input']>;
  readonly startsAt: Scalars['DateTime']['input'];
  readonly uuids?: InputMaybe<ReadonlyArray<Scalars['ID']['input']>>;
};

/** One UTC day of a connection's checks */
export type DailyStatus = {
  readonly __typename?: 'DailyStatus';
  /** checks outside maintenance */
  readonly checks: Scalars['Int']['output'];
  /** YYYY-MM-DD */
  readonly date: Scalars['String']['output'];
  readonly healthy: Scalars['Int']['output'];
  /** checks under a maintenance window (not counted against uptime) */
  readonly maintenance: Scalars['Int']['output'];
  readonly p50Ms: Maybe<Scalars['Float']['output']>;
  readonly p95Ms: Maybe<Scalars['Float']['output']>;
  /** null without checks outside maintenance */
  readonly uptime: Maybe<Scalars['Float']['output']>;
};

export type DeleteConnectionPayload = {
  readonly __typename?: 'DeleteConnectionPayload';
  readonly deleted: Scalars['Boolean']['output'];
  readonly remoteNotice: RemoteNotice;
};

export type Direction =
  | 'receiver'
  | 'sender';

/** A maintenance window: checks and history go on, alerts and reminders are not sent, the time does not count against uptime */
export type Maintenance = {
  readonly __typename?: 'Maintenance';
  /** true while it covers now */
  readonly active: Scalars['Boolean']['output'];
  readonly connectionUuids: ReadonlyArray<Scalars['ID']['output']>;
  readonly endsAt: Scalars['DateTime']['output'];
  readonly id: Scalars['ID']['output'];
  readonly reason: Maybe<Scalars['String']['output']>;
  /** the site it was asked for (its connections then), or null when asked by uuids */
  readonly siteUrl: Maybe<Scalars['String']['output']>;
  readonly startsAt: Scalars['DateTime']['output'];
};

export type Mutation = {
  readonly __typename?: 'Mutation';
  readonly createConnection: CreateConnectionPayload;
  /** errors: InvalidInput (the window, siteUrl matching no connection), ConnectionNotFound, InvalidSiteUrl */
  readonly createMaintenance: Maintenance;
  /** the remote is told first (delete-connection); what it answered is remoteNotice */
  readonly deleteConnection: DeleteConnectionPayload;
  /** ends the window now (one not started never starts); MaintenanceNotFound for an unknown id */
  readonly endMaintenance: Maintenance;
  /** a connection's new name (1 to 200 characters); the remote is not told (errors: InvalidInput, ConnectionNotFound) */
  readonly renameConnection: Connection;
  /** the remote is told (update-status); what it answered is remoteNotice */
  readonly updateConnectionStatus: UpdateConnectionStatusPayload;
  /** eligible senders only; applies the severed rule (SEVER_AFTER, the mass-sever brake) */
  readonly verifyReceiverConnections: ReadonlyArray<ReceiverVerification>;
};


export type MutationCreateConnectionArgs = {
  input: CreateConnectionInput;
};


export type MutationCreateMaintenanceArgs = {
  input: CreateMaintenanceInput;
};


export type MutationDeleteConnectionArgs = {
  uuid: Scalars['ID']['input'];
};


export type MutationEndMaintenanceArgs = {
  id: Scalars['ID']['input'];
};


export type MutationRenameConnectionArgs = {
  name: Scalars['String']['input'];
  uuid: Scalars['ID']['input'];
};


export type MutationUpdateConnectionStatusArgs = {
  reason?: InputMaybe<Scalars['String']['input']>;
  status: ConnectionStatus;
  uuid: Scalars['ID']['input'];
};


export type MutationVerifyReceiverConnectionsArgs = {
  uuids?: InputMaybe<ReadonlyArray<Scalars['ID']['input']>>;
};

export type PageInfo = {
  readonly __typename?: 'PageInfo';
  /** the last edge's cursor; null for an empty page */
  readonly endCursor: Maybe<Scalars['String']['output']>;
  readonly hasNextPage: Scalars['Boolean']['output'];
};

export type Query = {
  readonly __typename?: 'Query';
  readonly connection: Maybe<Connection>;
  /** the registry's counts per direction, status and outcome, the groups that hold rows (read without loading rows) */
  readonly connectionCounts: ReadonlyArray<ConnectionCount>;
  /** a page of connections after the cursor given (first 1 to 500; errors: InvalidInput on first or after) */
  readonly connectionPage: ConnectionPage;
  /** every connection in one list, oldest first; ListTooLong past MAX_LIST (then page with connectionPage) */
  readonly connections: ReadonlyArray<Connection>;
  /** maintenance windows, newest first; active: only those covering now (true) or only the others (false) */
  readonly maintenances: ReadonlyArray<Maintenance>;
  /** asks a site whether it accepts connections; admin only (errors: InvalidSiteUrl, Offline, RemoteError; Forbidden for a viewer) */
  readonly remoteSite: RemoteSite;
  /** all receivers when uuids is omitted; a result younger than maxAgeSeconds is served as it is (0: check now) */
  readonly senderStatuses: ReadonlyArray<SenderStatusFetched>;
  /** who the caller is: a VIEWER's mutations are refused with Forbidden */
  readonly viewer: Viewer;
};


export type QueryConnectionArgs = {
  uuid: Scalars['ID']['input'];
};


export type QueryConnectionPageArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<ConnectionFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryConnectionsArgs = {
  direction?: InputMaybe<Direction>;
  status?: InputMaybe<ConnectionStatus>;
};


export type QueryMaintenancesArgs = {
  active?: InputMaybe<Scalars['Boolean']['input']>;
};


export type QueryRemoteSiteArgs = {
  siteUrl: Scalars['String']['input'];
};


export type QuerySenderStatusesArgs = {
  maxAgeSeconds?: InputMaybe<Scalars['Int']['input']>;
  uuids?: InputMaybe<ReadonlyArray<Scalars['ID']['input']>>;
};

export type ReceiverConnectionSevered = {
  readonly __typename?: 'ReceiverConnectionSevered';
  /** the local sender after its suspension */
  readonly connection: Connection;
  readonly connectionUuid: Scalars['ID']['output'];
};

export type ReceiverVerification = {
  readonly __typename?: 'ReceiverVerification';
  readonly checkedAt: Scalars['DateTime']['output'];
  readonly connectionUuid: Scalars['ID']['output'];
  readonly durationMs: Scalars['Float']['output'];
  readonly outcome: VerificationOutcome;
  readonly reason: Maybe<Scalars['String']['output']>;
  /** true when this answer suspended the local sender (the severed rule) */
  readonly suspended: Scalars['Boolean']['output'];
};

export type RemoteNotice = {
  readonly __typename?: 'RemoteNotice';
  readonly connectionUuid: Scalars['ID']['output'];
  /** update-status or delete-connection */
  readonly endpoint: Scalars['String']['output'];
  readonly outcome: RemoteNoticeOutcome;
  /** short machine reason when the remote was not told, e.g. refused, timeout, http_500 */
  readonly reason: Maybe<Scalars['String']['output']>;
};

/** What the remote site answered when it was told about a local change */
export type RemoteNoticeOutcome =
  | 'deleted'
  | 'error'
  | 'not_found'
  | 'offline'
  /** not sent: the new status is not one remotes are told about (pending, expired) */
  | 'skipped'
  | 'updated';

/** The outcome of the last registration attempt at the remote site (metadata.remote_notification) */
export type RemoteNotification = {
  readonly __typename?: 'RemoteNotification';
  /** null when the remote could not be reached */
  readonly httpStatus: Maybe<Scalars['Int']['output']>;
  readonly message: Maybe<Scalars['String']['output']>;
  readonly notifiedAt: Scalars['DateTime']['output'];
  readonly remoteConnectionUuid: Maybe<Scalars['String']['output']>;
  /** registered, pending or failed */
  readonly status: Scalars['String']['output'];
  readonly success: Scalars['Boolean']['output'];
};

/** What a remote site says about itself (GET {prefix}/sync/api/status), to check before pairing */
export type RemoteSite = {
  readonly __typename?: 'RemoteSite';
  readonly enabled: Scalars['Boolean']['output'];
  /** auto_accept, require_approval, require_password or deny_all */
  readonly incomingMode: Scalars['String']['output'];
  readonly passwordRequired: Scalars['Boolean']['output'];
  readonly siteUrl: Scalars['String']['output'];
};

/** Quantiles read from hourly buckets (10, 25, 50, 100, 250, 500 ms, 1, 2.5, 5, 10, 30 s): each is its bucket's upper bound */
export type ResponseTime = {
  readonly __typename?: 'ResponseTime';
  /** answered checks counted */
  readonly checks: Scalars['Int']['output'];
  readonly p50Ms: Maybe<Scalars['Float']['output']>;
  readonly p95Ms: Maybe<Scalars['Float']['output']>;
};

/** What the caller may do: ADMIN (ADMIN_TOKEN, or no token configured) or VIEWER (VIEWER_TOKEN: queries and subscriptions only) */
export type Role =
  | 'admin'
  | 'viewer';

/** What the remote sender says about a receiver connection, or why it could not say */
export type SenderStatus =
  | 'active'
  | 'error'
  | 'expired'
  | 'not_found'
  | 'offline'
  | 'pending'
  | 'revoked'
  | 'suspended';

export type SenderStatusFetched = {
  readonly __typename?: 'SenderStatusFetched';
  readonly checkedAt: Scalars['DateTime']['output'];
  readonly connectionUuid: Scalars['ID']['output'];
  readonly detail: Maybe<Scalars['String']['output']>;
  readonly durationMs: Scalars['Float']['output'];
  /** short machine reason for OFFLINE / NOT_FOUND / ERROR, e.g. refused, timeout, http_500, no_route */
  readonly reason: Maybe<Scalars['String']['output']>;
  /** the raw status string the remote answered, also when it is not one we know */
  readonly remoteStatus: Maybe<Scalars['String']['output']>;
  readonly status: SenderStatus;
};

/** The mass-sever brake held this round: more than SEVER_BRAKE_PERCENT of at least 4 eligible senders answered not found */
export type SeveringHeld = {
  readonly __typename?: 'SeveringHeld';
  readonly eligible: Scalars['Int']['output'];
  readonly notFound: Scalars['Int']['output'];
  readonly round: Scalars['Int']['output'];
};

/** Who made a connection's last status change */
export type StatusActor =
  /** an admin, through this API */
  | 'admin'
  /** the remote site (update-status, or activation when it first asked for the status) */
  | 'remote'
  /** the severed rule: the remote site reported the connection gone */
  | 'severed';

/** A change of a connection's check outcome (e.g. ACTIVE -> OFFLINE, EXISTS -> NOT_FOUND) or of its status by a sever */
export type StatusChange = {
  readonly __typename?: 'StatusChange';
  readonly at: Scalars['DateTime']['output'];
  readonly connectionUuid: Scalars['ID']['output'];
  /** null for the first check */
  readonly from: Maybe<Scalars['String']['output']>;
  readonly reason: Maybe<Scalars['String']['output']>;
  readonly to: Scalars['String']['output'];
};

export type StatusEvent = ReceiverConnectionSevered | SenderStatusFetched | SeveringHeld | StatusRoundCompleted;

/**
 * One round of an interval, whole: every receiver's sender status and every eligible sender's verification
 * (each with its own checkedAt and durationMs: a result younger than the interval is served as it was checked),
 * the senders the severed rule suspended in it, and whether the mass-sever brake held it.
 */
export type StatusRound = {
  readonly __typename?: 'StatusRound';
  readonly completedAt: Scalars['DateTime']['output'];
  readonly held: Maybe<SeveringHeld>;
  /** the interval's round number, shared by its subscribers; a subscriber's first round repeats the number of the round running (or last run) when it joined */
  readonly round: Scalars['Int']['output'];
  readonly senderStatuses: ReadonlyArray<SenderStatusFetched>;
  readonly severed: ReadonlyArray<ReceiverConnectionSevered>;
  readonly verifications: ReadonlyArray<ReceiverVerification>;
};

export type StatusRoundCompleted = {
  readonly __typename?: 'StatusRoundCompleted';
  readonly checked: Scalars['Int']['output'];
  readonly round: Scalars['Int']['output'];
  readonly severed: Scalars['Int']['output'];
};

export type Subscription = {
  readonly __typename?: 'Subscription';
  readonly connectionChanged: ConnectionChange;
  /** each history row as it is written, whatever round caused it */
  readonly statusChanged: StatusChange;
  /** one round on subscribe, then one every everySeconds (>= 1) until the client leaves; checks are shared */
  readonly statusEvents: StatusEvent;
  /** the same rounds as statusEvents, one message a round: its first on subscribe, then the interval's */
  readonly statusRounds: StatusRound;
};


export type SubscriptionStatusEventsArgs = {
  everySeconds?: InputMaybe<Scalars['Int']['input']>;
};


export type SubscriptionStatusRoundsArgs = {
  everySeconds?: InputMaybe<Scalars['Int']['input']>;
};

export type UpdateConnectionStatusPayload = {
  readonly __typename?: 'UpdateConnectionStatusPayload';
  readonly connection: Connection;
  readonly remoteNotice: RemoteNotice;
};

/** The last 24 hours (DAY), 7 days, 30 days (MONTH) or 90 days (QUARTER), by whole hours, the current one included */
export type UptimeWindow =
  | 'day'
  | 'month'
  | 'quarter'
  | 'week';

export type VerificationOutcome =
  | 'error'
  | 'exists'
  | 'not_found'
  | 'offline';

export type Viewer = {
  readonly __typename?: 'Viewer';
  readonly role: Role;
};



export type ResolverTypeWrapper<T> = Promise<T> | T;


export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;



/** Mapping of union types */
export type ResolversUnionTypes<_RefType extends Record<string, unknown>> = {
  StatusEvent:
    | ( ReceiverConnectionSeveredModel )
    | ( SenderStatusFetchedModel )
    | ( SeveringHeldModel )
    | ( StatusRoundCompletedModel )
  ;
};


/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  ChangeKind: null;
  CheckOutcome: null;
  Connection: ResolverTypeWrapper<ConnectionModel>;
  ConnectionChange: ResolverTypeWrapper<ConnectionChangeModel>;
  ConnectionCount: ResolverTypeWrapper<ConnectionCount>;
  ConnectionEdge: ResolverTypeWrapper<Omit<ConnectionEdge, 'node'> & { node: ResolversTypes['Connection'] }>;
  ConnectionFilter: ConnectionFilter;
  ConnectionPage: ResolverTypeWrapper<ConnectionPageModel>;
  ConnectionStatus: null;
  CreateConnectionInput: CreateConnectionInput;
  CreateConnectionPayload: ResolverTypeWrapper<Omit<CreateConnectionPayload, 'connection' | 'remoteNotification'> & { connection: ResolversTypes['Connection'], remoteNotification?: Maybe<ResolversTypes['RemoteNotification']> }>;
  CreateMaintenanceInput: CreateMaintenanceInput;
  DailyStatus: ResolverTypeWrapper<DailyStatus>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  DeleteConnectionPayload: ResolverTypeWrapper<Omit<DeleteConnectionPayload, 'remoteNotice'> & { remoteNotice: ResolversTypes['RemoteNotice'] }>;
  Direction: null;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  Maintenance: ResolverTypeWrapper<MaintenanceModel>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  ReceiverConnectionSevered: ResolverTypeWrapper<ReceiverConnectionSeveredModel>;
  ReceiverVerification: ResolverTypeWrapper<ReceiverVerificationModel>;
  RemoteNotice: ResolverTypeWrapper<RemoteNoticeModel>;
  RemoteNoticeOutcome: null;
  RemoteNotification: ResolverTypeWrapper<RemoteNotificationModel>;
  RemoteSite: ResolverTypeWrapper<RemoteSite>;
  ResponseTime: ResolverTypeWrapper<ResponseTime>;
  Role: null;
  SenderStatus: null;
  SenderStatusFetched: ResolverTypeWrapper<SenderStatusFetchedModel>;
  SeveringHeld: ResolverTypeWrapper<SeveringHeldModel>;
  StatusActor: null;
  StatusChange: ResolverTypeWrapper<StatusChangeModel>;
  StatusEvent: ResolverTypeWrapper<ResolversUnionTypes<ResolversTypes>['StatusEvent']>;
  StatusRound: ResolverTypeWrapper<StatusRoundModel>;
  StatusRoundCompleted: ResolverTypeWrapper<StatusRoundCompletedModel>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  UpdateConnectionStatusPayload: ResolverTypeWrapper<Omit<UpdateConnectionStatusPayload, 'connection' | 'remoteNotice'> & { connection: ResolversTypes['Connection'], remoteNotice: ResolversTypes['RemoteNotice'] }>;
  UptimeWindow: null;
  VerificationOutcome: null;
  Viewer: ResolverTypeWrapper<Viewer>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  Boolean: Scalars['Boolean']['output'];
  Connection: ConnectionModel;
  ConnectionChange: ConnectionChangeModel;
  ConnectionCount: ConnectionCount;
  ConnectionEdge: Omit<ConnectionEdge, 'node'> & { node: ResolversParentTypes['Connection'] };
  ConnectionFilter: ConnectionFilter;
  ConnectionPage: ConnectionPageModel;
  CreateConnectionInput: CreateConnectionInput;
  CreateConnectionPayload: Omit<CreateConnectionPayload, 'connection' | 'remoteNotification'> & { connection: ResolversParentTypes['Connection'], remoteNotification?: Maybe<ResolversParentTypes['RemoteNotification']> };
  CreateMaintenanceInput: CreateMaintenanceInput;
  DailyStatus: DailyStatus;
  DateTime: Scalars['DateTime']['output'];
  DeleteConnectionPayload: Omit<DeleteConnectionPayload, 'remoteNotice'> & { remoteNotice: ResolversParentTypes['RemoteNotice'] };
  Float: Scalars['Float']['output'];
  ID: Scalars['ID']['output'];
  Int: Scalars['Int']['output'];
  Maintenance: MaintenanceModel;
  Mutation: Record<PropertyKey, never>;
  PageInfo: PageInfo;
  Query: Record<PropertyKey, never>;
  ReceiverConnectionSevered: ReceiverConnectionSeveredModel;
  ReceiverVerification: ReceiverVerificationModel;
  RemoteNotice: RemoteNoticeModel;
  RemoteNotification: RemoteNotificationModel;
  RemoteSite: RemoteSite;
  ResponseTime: ResponseTime;
  SenderStatusFetched: SenderStatusFetchedModel;
  SeveringHeld: SeveringHeldModel;
  StatusChange: StatusChangeModel;
  StatusEvent: ResolversUnionTypes<ResolversParentTypes>['StatusEvent'];
  StatusRound: StatusRoundModel;
  StatusRoundCompleted: StatusRoundCompletedModel;
  String: Scalars['String']['output'];
  Subscription: Record<PropertyKey, never>;
  UpdateConnectionStatusPayload: Omit<UpdateConnectionStatusPayload, 'connection' | 'remoteNotice'> & { connection: ResolversParentTypes['Connection'], remoteNotice: ResolversParentTypes['RemoteNotice'] };
  Viewer: Viewer;
};

export type ChangeKindResolvers = { CREATED: 'created', DELETED: 'deleted', UPDATED: 'updated' };

export type CheckOutcomeResolvers = { ACTIVE: 'active', ERROR: 'error', EXISTS: 'exists', EXPIRED: 'expired', NOT_CHECKED: 'not_checked', NOT_FOUND: 'not_found', OFFLINE: 'offline', PENDING: 'pending', REVOKED: 'revoked', SUSPENDED: 'suspended' };

export type ConnectionResolvers<ContextType = any, ParentType extends ResolversParentTypes['Connection'] = ResolversParentTypes['Connection']> = {
  approvedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  daily?: Resolver<ReadonlyArray<ResolversTypes['DailyStatus']>, ParentType, ContextType, RequireFields<ConnectionDailyArgs, 'days'>>;
  direction?: Resolver<ResolversTypes['Direction'], ParentType, ContextType>;
  insertedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  lastSenderStatus?: Resolver<Maybe<ResolversTypes['SenderStatusFetched']>, ParentType, ContextType>;
  lastVerification?: Resolver<Maybe<ResolversTypes['ReceiverVerification']>, ParentType, ContextType>;
  maintenance?: Resolver<Maybe<ResolversTypes['Maintenance']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  remoteNotification?: Resolver<Maybe<ResolversTypes['RemoteNotification']>, ParentType, ContextType>;
  remoteNotified?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  responseTime?: Resolver<ResolversTypes['ResponseTime'], ParentType, ContextType, RequireFields<ConnectionResponseTimeArgs, 'window'>>;
  revokedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  revokedReason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  siteUrl?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['ConnectionStatus'], ParentType, ContextType>;
  statusChangedBy?: Resolver<Maybe<ResolversTypes['StatusActor']>, ParentType, ContextType>;
  statusHistory?: Resolver<ReadonlyArray<ResolversTypes['StatusChange']>, ParentType, ContextType, RequireFields<ConnectionStatusHistoryArgs, 'limit'>>;
  suspendedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  suspendedReason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  uptime?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType, RequireFields<ConnectionUptimeArgs, 'window'>>;
  uuid?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
};

export type ConnectionChangeResolvers<ContextType = any, ParentType extends ResolversParentTypes['ConnectionChange'] = ResolversParentTypes['ConnectionChange']> = {
  connection?: Resolver<Maybe<ResolversTypes['Connection']>, ParentType, ContextType>;
  connectionUuid?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['ChangeKind'], ParentType, ContextType>;
};

export type ConnectionCountResolvers<ContextType = any, ParentType extends ResolversParentTypes['ConnectionCount'] = ResolversParentTypes['ConnectionCount']> = {
  count?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  direction?: Resolver<ResolversTypes['Direction'], ParentType, ContextType>;
  outcome?: Resolver<ResolversTypes['CheckOutcome'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['ConnectionStatus'], ParentType, ContextType>;
};

export type ConnectionEdgeResolvers<ContextType = any, ParentType extends ResolversParentTypes['ConnectionEdge'] = ResolversParentTypes['ConnectionEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Connection'], ParentType, ContextType>;
};

export type ConnectionPageResolvers<ContextType = any, ParentType extends ResolversParentTypes['ConnectionPage'] = ResolversParentTypes['ConnectionPage']> = {
  edges?: Resolver<ReadonlyArray<ResolversTypes['ConnectionEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type ConnectionStatusResolvers = { ACTIVE: 'active', EXPIRED: 'expired', PENDING: 'pending', REVOKED: 'revoked', SUSPENDED: 'suspended' };

export type CreateConnectionPayloadResolvers<ContextType = any, ParentType extends ResolversParentTypes['CreateConnectionPayload'] = ResolversParentTypes['CreateConnectionPayload']> = {
  authToken?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  connection?: Resolver<ResolversTypes['Connection'], ParentType, ContextType>;
  remoteNotification?: Resolver<Maybe<ResolversTypes['RemoteNotification']>, ParentType, ContextType>;
};

export type DailyStatusResolvers<ContextType = any, ParentType extends ResolversParentTypes['DailyStatus'] = ResolversParentTypes['DailyStatus']> = {
  checks?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  date?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  healthy?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  maintenance?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  p50Ms?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  p95Ms?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  uptime?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type DeleteConnectionPayloadResolvers<ContextType = any, ParentType extends ResolversParentTypes['DeleteConnectionPayload'] = ResolversParentTypes['DeleteConnectionPayload']> = {
  deleted?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  remoteNotice?: Resolver<ResolversTypes['RemoteNotice'], ParentType, ContextType>;
};

export type DirectionResolvers = { RECEIVER: 'receiver', SENDER: 'sender' };

export type MaintenanceResolvers<ContextType = any, ParentType extends ResolversParentTypes['Maintenance'] = ResolversParentTypes['Maintenance']> = {
  active?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  connectionUuids?: Resolver<ReadonlyArray<ResolversTypes['ID']>, ParentType, ContextType>;
  endsAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  reason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  siteUrl?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  startsAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
};

export type MutationResolvers<ContextType = any, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  createConnection?: Resolver<ResolversTypes['CreateConnectionPayload'], ParentType, ContextType, RequireFields<MutationCreateConnectionArgs, 'input'>>;
  createMaintenance?: Resolver<ResolversTypes['Maintenance'], ParentType, ContextType, RequireFields<MutationCreateMaintenanceArgs, 'input'>>;
  deleteConnection?: Resolver<ResolversTypes['DeleteConnectionPayload'], ParentType, ContextType, RequireFields<MutationDeleteConnectionArgs, 'uuid'>>;
  endMaintenance?: Resolver<ResolversTypes['Maintenance'], ParentType, ContextType, RequireFields<MutationEndMaintenanceArgs, 'id'>>;
  renameConnection?: Resolver<ResolversTypes['Connection'], ParentType, ContextType, RequireFields<MutationRenameConnectionArgs, 'name' | 'uuid'>>;
  updateConnectionStatus?: Resolver<ResolversTypes['UpdateConnectionStatusPayload'], ParentType, ContextType, RequireFields<MutationUpdateConnectionStatusArgs, 'status' | 'uuid'>>;
  verifyReceiverConnections?: Resolver<ReadonlyArray<ResolversTypes['ReceiverVerification']>, ParentType, ContextType, Partial<MutationVerifyReceiverConnectionsArgs>>;
};

export type PageInfoResolvers<ContextType = any, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = {
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type QueryResolvers<ContextType = any, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  connection?: Resolver<Maybe<ResolversTypes['Connection']>, ParentType, ContextType, RequireFields<QueryConnectionArgs, 'uuid'>>;
  connectionCounts?: Resolver<ReadonlyArray<ResolversTypes['ConnectionCount']>, ParentType, ContextType>;
  connectionPage?: Resolver<ResolversTypes['ConnectionPage'], ParentType, ContextType, RequireFields<QueryConnectionPageArgs, 'first'>>;
  connections?: Resolver<ReadonlyArray<ResolversTypes['Connection']>, ParentType, ContextType, Partial<QueryConnectionsArgs>>;
  maintenances?: Resolver<ReadonlyArray<ResolversTypes['Maintenance']>, ParentType, ContextType, Partial<QueryMaintenancesArgs>>;
  remoteSite?: Resolver<ResolversTypes['RemoteSite'], ParentType, ContextType, RequireFields<QueryRemoteSiteArgs, 'siteUrl'>>;
  senderStatuses?: Resolver<ReadonlyArray<ResolversTypes['SenderStatusFetched']>, ParentType, ContextType, RequireFields<QuerySenderStatusesArgs, 'maxAgeSeconds'>>;
  viewer?: Resolver<ResolversTypes['Viewer'], ParentType, ContextType>;
};

export type ReceiverConnectionSeveredResolvers<ContextType = any, ParentType extends ResolversParentTypes['ReceiverConnectionSevered'] = ResolversParentTypes['ReceiverConnectionSevered']> = {
  connection?: Resolver<ResolversTypes['Connection'], ParentType, ContextType>;
  connectionUuid?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type ReceiverVerificationResolvers<ContextType = any, ParentType extends ResolversParentTypes['ReceiverVerification'] = ResolversParentTypes['ReceiverVerification']> = {
  checkedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  connectionUuid?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  durationMs?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  outcome?: Resolver<ResolversTypes['VerificationOutcome'], ParentType, ContextType>;
  reason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  suspended?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type RemoteNoticeResolvers<ContextType = any, ParentType extends ResolversParentTypes['RemoteNotice'] = ResolversParentTypes['RemoteNotice']> = {
  connectionUuid?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  endpoint?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  outcome?: Resolver<ResolversTypes['RemoteNoticeOutcome'], ParentType, ContextType>;
  reason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type RemoteNoticeOutcomeResolvers = { DELETED: 'deleted', ERROR: 'error', NOT_FOUND: 'not_found', OFFLINE: 'offline', SKIPPED: 'skipped', UPDATED: 'updated' };

export type RemoteNotificationResolvers<ContextType = any, ParentType extends ResolversParentTypes['RemoteNotification'] = ResolversParentTypes['RemoteNotification']> = {
  httpStatus?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  message?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  notifiedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  remoteConnectionUuid?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  success?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type RemoteSiteResolvers<ContextType = any, ParentType extends ResolversParentTypes['RemoteSite'] = ResolversParentTypes['RemoteSite']> = {
  enabled?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  incomingMode?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  passwordRequired?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  siteUrl?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type ResponseTimeResolvers<ContextType = any, ParentType extends ResolversParentTypes['ResponseTime'] = ResolversParentTypes['ResponseTime']> = {
  checks?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  p50Ms?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  p95Ms?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
};

export type RoleResolvers = { ADMIN: 'admin', VIEWER: 'viewer' };

export type SenderStatusResolvers = { ACTIVE: 'active', ERROR: 'error', EXPIRED: 'expired', NOT_FOUND: 'not_found', OFFLINE: 'offline', PENDING: 'pending', REVOKED: 'revoked', SUSPENDED: 'suspended' };

export type SenderStatusFetchedResolvers<ContextType = any, ParentType extends ResolversParentTypes['SenderStatusFetched'] = ResolversParentTypes['SenderStatusFetched']> = {
  checkedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  connectionUuid?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  detail?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  durationMs?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  reason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  remoteStatus?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['SenderStatus'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type SeveringHeldResolvers<ContextType = any, ParentType extends ResolversParentTypes['SeveringHeld'] = ResolversParentTypes['SeveringHeld']> = {
  eligible?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  notFound?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  round?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type StatusActorResolvers = { ADMIN: 'admin', REMOTE: 'remote', SEVERED: 'severed' };

export type StatusChangeResolvers<ContextType = any, ParentType extends ResolversParentTypes['StatusChange'] = ResolversParentTypes['StatusChange']> = {
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  connectionUuid?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  from?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  reason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  to?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type StatusEventResolvers<ContextType = any, ParentType extends ResolversParentTypes['StatusEvent'] = ResolversParentTypes['StatusEvent']> = {
  __resolveType: TypeResolveFn<'ReceiverConnectionSevered' | 'SenderStatusFetched' | 'SeveringHeld' | 'StatusRoundCompleted', ParentType, ContextType>;
};

export type StatusRoundResolvers<ContextType = any, ParentType extends ResolversParentTypes['StatusRound'] = ResolversParentTypes['StatusRound']> = {
  completedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  held?: Resolver<Maybe<ResolversTypes['SeveringHeld']>, ParentType, ContextType>;
  round?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  senderStatuses?: Resolver<ReadonlyArray<ResolversTypes['SenderStatusFetched']>, ParentType, ContextType>;
  severed?: Resolver<ReadonlyArray<ResolversTypes['ReceiverConnectionSevered']>, ParentType, ContextType>;
  verifications?: Resolver<ReadonlyArray<ResolversTypes['ReceiverVerification']>, ParentType, ContextType>;
};

export type StatusRoundCompletedResolvers<ContextType = any, ParentType extends ResolversParentTypes['StatusRoundCompleted'] = ResolversParentTypes['StatusRoundCompleted']> = {
  checked?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  round?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  severed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type SubscriptionResolvers<ContextType = any, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = {
  connectionChanged?: SubscriptionResolver<ResolversTypes['ConnectionChange'], "connectionChanged", ParentType, ContextType>;
  statusChanged?: SubscriptionResolver<ResolversTypes['StatusChange'], "statusChanged", ParentType, ContextType>;
  statusEvents?: SubscriptionResolver<ResolversTypes['StatusEvent'], "statusEvents", ParentType, ContextType, Partial<SubscriptionStatusEventsArgs>>;
  statusRounds?: SubscriptionResolver<ResolversTypes['StatusRound'], "statusRounds", ParentType, ContextType, Partial<SubscriptionStatusRoundsArgs>>;
};

export type UpdateConnectionStatusPayloadResolvers<ContextType = any, ParentType extends ResolversParentTypes['UpdateConnectionStatusPayload'] = ResolversParentTypes['UpdateConnectionStatusPayload']> = {
  connection?: Resolver<ResolversTypes['Connection'], ParentType, ContextType>;
  remoteNotice?: Resolver<ResolversTypes['RemoteNotice'], ParentType, ContextType>;
};

export type UptimeWindowResolvers = { DAY: 'day', MONTH: 'month', QUARTER: 'quarter', WEEK: 'week' };

export type VerificationOutcomeResolvers = { ERROR: 'error', EXISTS: 'exists', NOT_FOUND: 'not_found', OFFLINE: 'offline' };

export type ViewerResolvers<ContextType = any, ParentType extends ResolversParentTypes['Viewer'] = ResolversParentTypes['Viewer']> = {
  role?: Resolver<ResolversTypes['Role'], ParentType, ContextType>;
};

export type Resolvers<ContextType = any> = {
  ChangeKind?: ChangeKindResolvers;
  CheckOutcome?: CheckOutcomeResolvers;
  Connection?: ConnectionResolvers<ContextType>;
  ConnectionChange?: ConnectionChangeResolvers<ContextType>;
  ConnectionCount?: ConnectionCountResolvers<ContextType>;
  ConnectionEdge?: ConnectionEdgeResolvers<ContextType>;
  ConnectionPage?: ConnectionPageResolvers<ContextType>;
  ConnectionStatus?: ConnectionStatusResolvers;
  CreateConnectionPayload?: CreateConnectionPayloadResolvers<ContextType>;
  DailyStatus?: DailyStatusResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  DeleteConnectionPayload?: DeleteConnectionPayloadResolvers<ContextType>;
  Direction?: DirectionResolvers;
  Maintenance?: MaintenanceResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  ReceiverConnectionSevered?: ReceiverConnectionSeveredResolvers<ContextType>;
  ReceiverVerification?: ReceiverVerificationResolvers<ContextType>;
  RemoteNotice?: RemoteNoticeResolvers<ContextType>;
  RemoteNoticeOutcome?: RemoteNoticeOutcomeResolvers;
  RemoteNotification?: RemoteNotificationResolvers<ContextType>;
  RemoteSite?: RemoteSiteResolvers<ContextType>;
  ResponseTime?: ResponseTimeResolvers<ContextType>;
  Role?: RoleResolvers;
  SenderStatus?: SenderStatusResolvers;
  SenderStatusFetched?: SenderStatusFetchedResolvers<ContextType>;
  SeveringHeld?: SeveringHeldResolvers<ContextType>;
  StatusActor?: StatusActorResolvers;
  StatusChange?: StatusChangeResolvers<ContextType>;
  StatusEvent?: StatusEventResolvers<ContextType>;
  StatusRound?: StatusRoundResolvers<ContextType>;
  StatusRoundCompleted?: StatusRoundCompletedResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  UpdateConnectionStatusPayload?: UpdateConnectionStatusPayloadResolvers<ContextType>;
  UptimeWindow?: UptimeWindowResolvers;
  VerificationOutcome?: VerificationOutcomeResolvers;
  Viewer?: ViewerResolvers<ContextType>;
};

