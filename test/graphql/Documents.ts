import { Effect } from "effect"
import { graphql, type RunningSite } from "../utils/App.js"

// The operations the transport tests send, and the connections they need, made through the API itself.

export const CREATE = `mutation ($input: CreateConnectionInput!) {
  createConnection(input: $input) { connection { uuid status } authToken }
}`

export const STATUS_EVENTS = `subscription ($every: Int) {
  statusEvents(everySeconds: $every) {
    __typename
    ... on SenderStatusFetched { connectionUuid status remoteStatus reason }
    ... on ReceiverConnectionSevered { connectionUuid connection { uuid status suspendedReason } }
    ... on StatusRoundCompleted { round checked severed }
  }
}`

export const CONNECTION_CHANGED = `subscription {
  connectionChanged { kind connectionUuid connection { uuid status suspendedReason } }
}`

export const SENDER_STATUSES = "{ senderStatuses { connectionUuid status } }"

const create = (site: RunningSite, input: Record<string, unknown>) =>
  Effect.flatMap(graphql(site.graphqlUrl, CREATE, { input }), (result) => {
    const payload = result.data?.["createConnection"] as { connection: { uuid: string } } | undefined
    return payload === undefined
      ? Effect.die(new Error(`createConnection failed: ${JSON.stringify(result.errors)}`))
      : Effect.succeed(payload.connection.uuid)
  })

export const createReceiver = (site: RunningSite, siteUrl: string, name = "receiver") =>
  create(site, { name, direction: "RECEIVER", siteUrl })

// a sender the remote confirmed, so a status round verifies it (and may apply the severed rule)
export const createRegisteredSender = (site: RunningSite, siteUrl: string, name = "sender") =>
  create(site, { name, direction: "SENDER", siteUrl, status: "ACTIVE", remoteNotified: true })

// a query POSTed over plain HTTP that the client can abandon: `abort` ends it, `outcome` is the fetch's response or
// its error (an abort's)
export const abandonable = (url: string, query: string) => {
  const controller = new AbortController()
  const pending = fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query }),
    signal: controller.signal
  }).catch((error: unknown) => error)
  return { abort: () => controller.abort(), outcome: Effect.promise(() => pending) }
}
