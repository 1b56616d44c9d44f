import { createClient } from "graphql-ws"
import WebSocket from "ws"

// P page-like clients in their own process, each on its own socket with what ui/ opens: statusChanged,
// connectionChanged and the round feed (MODE=events: statusEvents result by result, as ui/ did; MODE=rounds:
// statusRounds, one message per round). Counts the connection results delivered; reports over IPC.

export type PagesMessage =
  | {
      readonly type: "counts"
      readonly results: number
      readonly messages: number
      readonly errors: number
      // rounds the first page saw complete
      readonly rounds: number
    }
  | { readonly type: "ready" }

const url = process.env["FANOUT_URL"]!
const pages = Number(process.env["FANOUT_PAGES"])
const every = Number(process.env["FANOUT_EVERY"])
const mode = process.env["FANOUT_MODE"] === "rounds" ? "rounds" : "events"
const expectedFirst = Number(process.env["FANOUT_CONNECTIONS"])

const ROW = "uuid name direction status siteUrl updatedAt"
const FEED =
  mode === "events"
    ? `subscription ($every: Int) { statusEvents(everySeconds: $every) { __typename
        ... on SenderStatusFetched { connectionUuid status reason checkedAt durationMs }
        ... on ReceiverConnectionSevered { connection { ${ROW} } } } }`
    : `subscription ($every: Int) { statusRounds(everySeconds: $every) { round completedAt held { round }
        senderStatuses { connectionUuid status reason checkedAt durationMs }
        verifications { connectionUuid outcome reason checkedAt }
        severed { connectionUuid connection { ${ROW} } } } }`

let results = 0
let messages = 0
let rounds = 0
let errors = 0
const perPage = new Array<number>(pages).fill(0)
let ready = false

const count = (page: number, data: Record<string, unknown> | null | undefined) => {
  messages++
  if (mode === "events") {
    const event = data?.["statusEvents"] as { readonly __typename?: string } | undefined
    if (event?.__typename === "StatusRoundCompleted") {
      if (page === 0) rounds++
      return
    }
    results++
    perPage[page]!++
    return
  }
  if (page === 0) rounds++
  const round = data?.["statusRounds"] as
    | { senderStatuses: ReadonlyArray<unknown>; verifications: ReadonlyArray<unknown> }
    | undefined
  const n = (round?.senderStatuses.length ?? 0) + (round?.verifications.length ?? 0)
  results += n
  perPage[page]! += n
}

// pages open as people open them, not all in one instant: 25 every 50 ms (1,000 in 2 s)
const RAMP_BATCH = 25
const RAMP_MILLIS = 50
for (let page = 0; page < pages; page++) {
  if (page > 0 && page % RAMP_BATCH === 0) await new Promise((resolve) => setTimeout(resolve, RAMP_MILLIS))
  const client = createClient({ url, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0 })
  const sink = (counted: boolean) => ({
    next: (result: {
      data?: Record<string, unknown> | null | undefined
      errors?: ReadonlyArray<unknown> | undefined
    }) => {
      if (result.errors !== undefined) errors++
      else if (counted) count(page, result.data)
    },
    error: (error: unknown) => {
      errors++
      if (errors < 5) console.error("[pages] error", error instanceof Error ? error.message : JSON.stringify(error))
    },
    complete: () => {}
  })
  client.subscribe({ query: "subscription { statusChanged { connectionUuid at from to reason } }" }, sink(false))
  client.subscribe(
    { query: `subscription { connectionChanged { kind connectionUuid connection { ${ROW} } } }` },
    sink(false)
  )
  client.subscribe({ query: FEED, variables: { every } }, sink(true))
}

const poll = setInterval(() => {
  if (!ready && perPage.every((n) => n >= expectedFirst)) {
    ready = true
    process.send?.({ type: "ready" } satisfies PagesMessage)
  }
}, 100)
process.on("message", (message: { readonly type?: string }) => {
  if (message.type === "counts")
    process.send?.({ type: "counts", results, messages, errors, rounds } satisfies PagesMessage)
})
process.on("disconnect", () => {
  clearInterval(poll)
  process.exit(0)
})
