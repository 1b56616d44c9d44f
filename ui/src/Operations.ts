import { graphql } from "./generated/gql.js"

// Every operation the page sends. `npm run codegen` types each one from schema.graphql (ui/src/generated):
// a field the schema drops fails the codegen, a type it changes fails `npm run typecheck`.

// the Connection fields of a row (the same selection everywhere, so every update has the same shape); what
// only a row on screen needs (its history, its uptime) is read for those rows (Details)
export const RowFields = graphql(`
  fragment RowFields on Connection {
    uuid
    name
    direction
    siteUrl
    status
    suspendedReason
    lastSenderStatus { status reason checkedAt durationMs }
    lastVerification { outcome reason checkedAt durationMs }
  }
`)

export const Counts = graphql(`
  query Counts {
    viewer { role }
    connectionCounts { direction outcome count }
  }
`)

// the rows of the filter in the table's order, a page after another
export const Page = graphql(`
  query Page($first: Int!, $after: String, $filter: ConnectionFilter) {
    connectionPage(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { ...RowFields } }
    }
  }
`)

export const LastChecks = graphql(`
  query LastChecks($uuid: ID!) {
    connection(uuid: $uuid) {
      lastSenderStatus { status reason checkedAt durationMs }
      lastVerification { outcome reason checkedAt durationMs }
    }
  }
`)

export const StatusChanged = graphql(`
  subscription StatusChanged {
    statusChanged { connectionUuid at from to reason }
  }
`)

export const ConnectionChanged = graphql(`
  subscription ConnectionChanged {
    connectionChanged { kind connectionUuid connection { ...RowFields } }
  }
`)

export const StatusRounds = graphql(`
  subscription StatusRounds($every: Int) {
    statusRounds(everySeconds: $every) {
      senderStatuses { connectionUuid status reason checkedAt durationMs }
      verifications { connectionUuid outcome reason checkedAt durationMs }
      severed { connection { ...RowFields } }
    }
  }
`)

export const CheckReceivers = graphql(`
  query CheckReceivers($uuids: [ID!]) {
    senderStatuses(uuids: $uuids) { connectionUuid status reason checkedAt durationMs }
  }
`)

export const VerifySenders = graphql(`
  mutation VerifySenders($uuids: [ID!]) {
    verifyReceiverConnections(uuids: $uuids) { connectionUuid outcome reason checkedAt durationMs }
  }
`)

export const SetStatus = graphql(`
  mutation SetStatus($uuid: ID!, $status: ConnectionStatus!, $reason: String) {
    updateConnectionStatus(uuid: $uuid, status: $status, reason: $reason) {
      connection { ...RowFields }
      remoteNotice { outcome reason }
    }
  }
`)

export const RemoteSite = graphql(`
  query RemoteSite($siteUrl: String!) {
    remoteSite(siteUrl: $siteUrl) { enabled incomingMode passwordRequired }
  }
`)

export const CreateConnection = graphql(`
  mutation CreateConnection($input: CreateConnectionInput!) {
    createConnection(input: $input) {
      authToken
      connection { ...RowFields }
      remoteNotification { success status message httpStatus }
    }
  }
`)

export const Rename = graphql(`
  mutation Rename($uuid: ID!, $name: String!) {
    renameConnection(uuid: $uuid, name: $name) { ...RowFields }
  }
`)

export const Delete = graphql(`
  mutation Delete($uuid: ID!) {
    deleteConnection(uuid: $uuid) { deleted remoteNotice { outcome reason } }
  }
`)

export type {
  CheckOutcome,
  CheckReceiversQuery,
  ConnectionFilter,
  CountsQuery,
  CreateConnectionInput,
  DetailsQuery,
  Role,
  VerifySendersMutation
} from "./generated/graphql.js"

// the rows on screen: their changes (the 24 h timeline) and uptime figures (Uptime.tsx), again once a minute
export const Details = graphql(`
  query Details($first: Int!, $uuids: [ID!]!) {
    connectionPage(first: $first, filter: { uuids: $uuids }) {
      edges {
        node {
          uuid
          statusHistory(limit: 200) { at from to reason }
          day: uptime(window: DAY)
          month: uptime(window: MONTH)
          daily(days: 90) { date uptime checks healthy maintenance p50Ms p95Ms }
          maintenance { reason endsAt }
        }
      }
    }
  }
`)
