import { Clock, Effect, Metric, MetricBoundaries, MetricKey, type MetricKeyType, MetricLabel } from "effect"
import type { ReceiverVerification, SenderStatusFetched } from "./Domain/Events.js"

// Every label value comes from a closed set (an enum of the domain, a route's name, a status code):
// never a URL, a uuid or a token, so the number of series stays bounded.
interface Series {
  readonly unsafeUpdate: (input: number, extraTags: ReadonlyArray<MetricLabel.MetricLabel>) => void
}

// one metric per label set, made on first use: an update is then an add on a cached hook, with no
// label hashing or registry lookup on the hot path
const family = (
  key: MetricKey.MetricKey<MetricKeyType.MetricKeyType<number, unknown>>,
  names: ReadonlyArray<string>
) => {
  const series = new Map<string, Series>()
  return (...values: ReadonlyArray<string>): Series => {
    const id = values.join("\u0000")
    let metric = series.get(id)
    if (metric === undefined) {
      const labels = names.map((name, i) => MetricLabel.make(name, values[i] ?? ""))
      metric = Metric.fromMetricKey(MetricKey.taggedWithLabels(key, labels))
      series.set(id, metric)
    }
    return metric
  }
}

const NO_TAGS: ReadonlyArray<MetricLabel.MetricLabel> = []
const add = (metric: Series, value: number) => metric.unsafeUpdate(value, NO_TAGS)

const checks = family(
  MetricKey.counter("syncwatch_checks_total", { description: "Checks by kind and outcome", incremental: true }),
  ["kind", "outcome"]
)
const checkDuration = family(
  MetricKey.histogram(
    "syncwatch_check_duration_seconds",
    MetricBoundaries.fromIterable([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]),
    "How long a check took, by kind"
  ),
  ["kind"]
)
export const connections = family(
  MetricKey.gauge("syncwatch_connections", { description: "Connections by direction and status" }),
  ["direction", "status"]
)
const severed = Metric.fromMetricKey(
  MetricKey.counter("syncwatch_severed_total", {
    description: "Senders suspended because their receiver no longer knows them",
    incremental: true
  })
)
const rounds = Metric.fromMetricKey(
  MetricKey.counter("syncwatch_rounds_total", { description: "Completed rounds of checks", incremental: true })
)
// up-down counters: exported as gauges
const subscribers = family(
  MetricKey.counter("syncwatch_subscribers", { description: "Open GraphQL subscriptions by root field" }),
  ["operation"]
)
const peerInFlight = Metric.fromMetricKey(
  MetricKey.counter("syncwatch_peer_requests_in_flight", { description: "Requests to other sites awaiting an answer" })
)
const syncApiRequests = family(
  MetricKey.counter("syncwatch_sync_api_requests_total", {
    description: "Sync API requests answered, by endpoint and HTTP status",
    incremental: true
  }),
  ["endpoint", "status"]
)
const graphqlOperations = family(
  MetricKey.counter("syncwatch_graphql_operations_total", {
    description: "GraphQL operations by type and whether they had errors",
    incremental: true
  }),
  ["type", "errors"]
)

export const senderStatusChecked = (event: SenderStatusFetched) =>
  Effect.sync(() => {
    add(checks("sender_status", event.status), 1)
    add(checkDuration("sender_status"), event.durationMs / 1000)
  })

const verified = (started: number, finished: number, verification: ReceiverVerification) => {
  add(checks("verification", verification.outcome), 1)
  add(checkDuration("verification"), (finished - started) / 1000)
  if (verification.suspended) add(severed, 1)
}

export const timeVerification = <E, R>(
  self: Effect.Effect<ReceiverVerification, E, R>
): Effect.Effect<ReceiverVerification, E, R> =>
  Effect.flatMap(Clock.currentTimeMillis, (started) =>
    Effect.tap(self, (verification) =>
      Effect.map(Clock.currentTimeMillis, (finished) => verified(started, finished, verification))
    )
  )

export const roundCompleted = Effect.sync(() => add(rounds, 1))

export const peerRequest = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.acquireUseRelease(
    Effect.sync(() => add(peerInFlight, 1)),
    () => self,
    () => Effect.sync(() => add(peerInFlight, -1))
  )

export const syncApiRequest = (endpoint: string, status: number): void =>
  add(syncApiRequests(endpoint, String(status)), 1)

export const graphqlOperation = (type: string, hadErrors: boolean): void =>
  add(graphqlOperations(type, hadErrors ? "true" : "false"), 1)

export const subscriberOpened = (operation: string): void => add(subscribers(operation), 1)
export const subscriberClosed = (operation: string): void => add(subscribers(operation), -1)

// a request on the wire as a callback task (started with its outcome's callback, returning its canceller):
// counted in flight from its start to its answer or its cancelling, whichever comes first
export const peerCall =
  <X>(task: (done: (outcome: X) => void) => () => void) =>
  (done: (outcome: X) => void): (() => void) => {
    add(peerInFlight, 1)
    let open = true
    const close = () => {
      if (open) {
        open = false
        add(peerInFlight, -1)
      }
    }
    const cancel = task((outcome) => {
      close()
      done(outcome)
    })
    return () => {
      close()
      cancel()
    }
  }
