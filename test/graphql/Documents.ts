import { Effect } from "effect"

// The operations the transport tests send (the connections they need: test/utils/App.ts).

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
