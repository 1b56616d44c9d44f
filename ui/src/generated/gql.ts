/* eslint-disable */
import * as types from './graphql.js';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment RowFields on Connection {\n    uuid\n    name\n    direction\n    siteUrl\n    status\n    suspendedReason\n    lastSenderStatus { status reason checkedAt durationMs }\n    lastVerification { outcome reason checkedAt durationMs }\n  }\n": typeof types.RowFieldsFragmentDoc,
    "\n  query Counts {\n    viewer { role }\n    connectionCounts { direction outcome count }\n  }\n": typeof types.CountsDocument,
    "\n  query Page($first: Int!, $after: String, $filter: ConnectionFilter) {\n    connectionPage(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { ...RowFields } }\n    }\n  }\n": typeof types.PageDocument,
    "\n  query LastChecks($uuid: ID!) {\n    connection(uuid: $uuid) {\n      lastSenderStatus { status reason checkedAt durationMs }\n      lastVerification { outcome reason checkedAt durationMs }\n    }\n  }\n": typeof types.LastChecksDocument,
    "\n  subscription StatusChanged {\n    statusChanged { connectionUuid at from to reason }\n  }\n": typeof types.StatusChangedDocument,
    "\n  subscription ConnectionChanged {\n    connectionChanged { kind connectionUuid connection { ...RowFields } }\n  }\n": typeof types.ConnectionChangedDocument,
    "\n  subscription StatusRounds($every: Int) {\n    statusRounds(everySeconds: $every) {\n      senderStatuses { connectionUuid status reason checkedAt durationMs }\n      verifications { connectionUuid outcome reason checkedAt durationMs }\n      severed { connection { ...RowFields } }\n    }\n  }\n": typeof types.StatusRoundsDocument,
    "\n  query CheckReceivers($uuids: [ID!]) {\n    senderStatuses(uuids: $uuids) { connectionUuid status reason checkedAt durationMs }\n  }\n": typeof types.CheckReceiversDocument,
    "\n  mutation VerifySenders($uuids: [ID!]) {\n    verifyReceiverConnections(uuids: $uuids) { connectionUuid outcome reason checkedAt durationMs }\n  }\n": typeof types.VerifySendersDocument,
    "\n  mutation SetStatus($uuid: ID!, $status: ConnectionStatus!, $reason: String) {\n    updateConnectionStatus(uuid: $uuid, status: $status, reason: $reason) {\n      connection { ...RowFields }\n      remoteNotice { outcome reason }\n    }\n  }\n": typeof types.SetStatusDocument,
    "\n  query RemoteSite($siteUrl: String!) {\n    remoteSite(siteUrl: $siteUrl) { enabled incomingMode passwordRequired }\n  }\n": typeof types.RemoteSiteDocument,
    "\n  mutation CreateConnection($input: CreateConnectionInput!) {\n    createConnection(input: $input) {\n      authToken\n      connection { ...RowFields }\n      remoteNotification { success status message httpStatus }\n    }\n  }\n": typeof types.CreateConnectionDocument,
    "\n  mutation Rename($uuid: ID!, $name: String!) {\n    renameConnection(uuid: $uuid, name: $name) { ...RowFields }\n  }\n": typeof types.RenameDocument,
    "\n  mutation Delete($uuid: ID!) {\n    deleteConnection(uuid: $uuid) { deleted remoteNotice { outcome reason } }\n  }\n": typeof types.DeleteDocument,
    "\n  query Details($first: Int!, $uuids: [ID!]!) {\n    connectionPage(first: $first, filter: { uuids: $uuids }) {\n      edges {\n        node {\n          uuid\n          statusHistory(limit: 200) { at from to reason }\n          day: uptime(window: DAY)\n          month: uptime(window: MONTH)\n          daily(days: 90) { date uptime checks healthy maintenance p50Ms p95Ms }\n          maintenance { reason endsAt }\n        }\n      }\n    }\n  }\n": typeof types.DetailsDocument,
};
const documents: Documents = {
    "\n  fragment RowFields on Connection {\n    uuid\n    name\n    direction\n    siteUrl\n    status\n    suspendedReason\n    lastSenderStatus { status reason checkedAt durationMs }\n    lastVerification { outcome reason checkedAt durationMs }\n  }\n": types.RowFieldsFragmentDoc,
    "\n  query Counts {\n    viewer { role }\n    connectionCounts { direction outcome count }\n  }\n": types.CountsDocument,
    "\n  query Page($first: Int!, $after: String, $filter: ConnectionFilter) {\n    connectionPage(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { ...RowFields } }\n    }\n  }\n": types.PageDocument,
    "\n  query LastChecks($uuid: ID!) {\n    connection(uuid: $uuid) {\n      lastSenderStatus { status reason checkedAt durationMs }\n      lastVerification { outcome reason checkedAt durationMs }\n    }\n  }\n": types.LastChecksDocument,
    "\n  subscription StatusChanged {\n    statusChanged { connectionUuid at from to reason }\n  }\n": types.StatusChangedDocument,
    "\n  subscription ConnectionChanged {\n    connectionChanged { kind connectionUuid connection { ...RowFields } }\n  }\n": types.ConnectionChangedDocument,
    "\n  subscription StatusRounds($every: Int) {\n    statusRounds(everySeconds: $every) {\n      senderStatuses { connectionUuid status reason checkedAt durationMs }\n      verifications { connectionUuid outcome reason checkedAt durationMs }\n      severed { connection { ...RowFields } }\n    }\n  }\n": types.StatusRoundsDocument,
    "\n  query CheckReceivers($uuids: [ID!]) {\n    senderStatuses(uuids: $uuids) { connectionUuid status reason checkedAt durationMs }\n  }\n": types.CheckReceiversDocument,
    "\n  mutation VerifySenders($uuids: [ID!]) {\n    verifyReceiverConnections(uuids: $uuids) { connectionUuid outcome reason checkedAt durationMs }\n  }\n": types.VerifySendersDocument,
    "\n  mutation SetStatus($uuid: ID!, $status: ConnectionStatus!, $reason: String) {\n    updateConnectionStatus(uuid: $uuid, status: $status, reason: $reason) {\n      connection { ...RowFields }\n      remoteNotice { outcome reason }\n    }\n  }\n": types.SetStatusDocument,
    "\n  query RemoteSite($siteUrl: String!) {\n    remoteSite(siteUrl: $siteUrl) { enabled incomingMode passwordRequired }\n  }\n": types.RemoteSiteDocument,
    "\n  mutation CreateConnection($input: CreateConnectionInput!) {\n    createConnection(input: $input) {\n      authToken\n      connection { ...RowFields }\n      remoteNotification { success status message httpStatus }\n    }\n  }\n": types.CreateConnectionDocument,
    "\n  mutation Rename($uuid: ID!, $name: String!) {\n    renameConnection(uuid: $uuid, name: $name) { ...RowFields }\n  }\n": types.RenameDocument,
    "\n  mutation Delete($uuid: ID!) {\n    deleteConnection(uuid: $uuid) { deleted remoteNotice { outcome reason } }\n  }\n": types.DeleteDocument,
    "\n  query Details($first: Int!, $uuids: [ID!]!) {\n    connectionPage(first: $first, filter: { uuids: $uuids }) {\n      edges {\n        node {\n          uuid\n          statusHistory(limit: 200) { at from to reason }\n          day: uptime(window: DAY)\n          month: uptime(window: MONTH)\n          daily(days: 90) { date uptime checks healthy maintenance p50Ms p95Ms }\n          maintenance { reason endsAt }\n        }\n      }\n    }\n  }\n": types.DetailsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RowFields on Connection {\n    uuid\n    name\n    direction\n    siteUrl\n    status\n    suspendedReason\n    lastSenderStatus { status reason checkedAt durationMs }\n    lastVerification { outcome reason checkedAt durationMs }\n  }\n"): typeof import('./graphql.js').RowFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Counts {\n    viewer { role }\n    connectionCounts { direction outcome count }\n  }\n"): typeof import('./graphql.js').CountsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Page($first: Int!, $after: String, $filter: ConnectionFilter) {\n    connectionPage(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { node { ...RowFields } }\n    }\n  }\n"): typeof import('./graphql.js').PageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LastChecks($uuid: ID!) {\n    connection(uuid: $uuid) {\n      lastSenderStatus { status reason checkedAt durationMs }\n      lastVerification { outcome reason checkedAt durationMs }\n    }\n  }\n"): typeof import('./graphql.js').LastChecksDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription StatusChanged {\n    statusChanged { connectionUuid at from to reason }\n  }\n"): typeof import('./graphql.js').StatusChangedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ConnectionChanged {\n    connectionChanged { kind connectionUuid connection { ...RowFields } }\n  }\n"): typeof import('./graphql.js').ConnectionChangedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription StatusRounds($every: Int) {\n    statusRounds(everySeconds: $every) {\n      senderStatuses { connectionUuid status reason checkedAt durationMs }\n      verifications { connectionUuid outcome reason checkedAt durationMs }\n      severed { connection { ...RowFields } }\n    }\n  }\n"): typeof import('./graphql.js').StatusRoundsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CheckReceivers($uuids: [ID!]) {\n    senderStatuses(uuids: $uuids) { connectionUuid status reason checkedAt durationMs }\n  }\n"): typeof import('./graphql.js').CheckReceiversDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifySenders($uuids: [ID!]) {\n    verifyReceiverConnections(uuids: $uuids) { connectionUuid outcome reason checkedAt durationMs }\n  }\n"): typeof import('./graphql.js').VerifySendersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetStatus($uuid: ID!, $status: ConnectionStatus!, $reason: String) {\n    updateConnectionStatus(uuid: $uuid, status: $status, reason: $reason) {\n      connection { ...RowFields }\n      remoteNotice { outcome reason }\n    }\n  }\n"): typeof import('./graphql.js').SetStatusDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RemoteSite($siteUrl: String!) {\n    remoteSite(siteUrl: $siteUrl) { enabled incomingMode passwordRequired }\n  }\n"): typeof import('./graphql.js').RemoteSiteDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateConnection($input: CreateConnectionInput!) {\n    createConnection(input: $input) {\n      authToken\n      connection { ...RowFields }\n      remoteNotification { success status message httpStatus }\n    }\n  }\n"): typeof import('./graphql.js').CreateConnectionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Rename($uuid: ID!, $name: String!) {\n    renameConnection(uuid: $uuid, name: $name) { ...RowFields }\n  }\n"): typeof import('./graphql.js').RenameDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Delete($uuid: ID!) {\n    deleteConnection(uuid: $uuid) { deleted remoteNotice { outcome reason } }\n  }\n"): typeof import('./graphql.js').DeleteDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Details($first: Int!, $uuids: [ID!]!) {\n    connectionPage(first: $first, filter: { uuids: $uuids }) {\n      edges {\n        node {\n          uuid\n          statusHistory(limit: 200) { at from to reason }\n          day: uptime(window: DAY)\n          month: uptime(window: MONTH)\n          daily(days: 90) { date uptime checks healthy maintenance p50Ms p95Ms }\n          maintenance { reason endsAt }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql.js').DetailsDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
