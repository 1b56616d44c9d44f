import { Effect, Metric, MetricBoundaries, MetricKey, type MetricKeyType, MetricLabel, Option } from "effect"
import {
  type ReceiverVerification,
  SenderStatus,
  type SenderStatusFetched,
  VerificationOutcome
} from "./Domain/Events.js"

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
const historyDropped = Metric.fromMetricKey(
  MetricKey.counter("syncwatch_history_rows_dropped_total", {
    description: "History rows dropped unwritten: the store was down and HISTORY_MAX_PENDING were waiting",
    incremental: true
  })
)
const webhookDeliveries = family(
  MetricKey.counter("syncwatch_alert_deliveries_total", {
    description:
      "Alert webhook deliveries by outcome: delivered, failed (gave up after the tries), gone (the endpoint answered 410 and is disabled until restart), disabled (not sent since)",
    incremental: true
  }),
  ["outcome"]
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

const subscriptionEncodings = Metric.fromMetricKey(
  MetricKey.counter("syncwatch_subscription_encodings_total", {
    description:
      "Subscription events executed and serialised: once per event and distinct document, variables and role",
    incremental: true
  })
)
const slowReaders = family(
  MetricKey.counter("syncwatch_slow_readers_total", {
    description: "Subscribers given up on for not reading what was sent to them, by transport",
    incremental: true
  }),
  ["transport"]
)

// the series a check updates, made up front: a check's update is two property reads and two adds
const byOutcome = <O extends string>(kind: string, outcomes: ReadonlyArray<O>) =>
  Object.fromEntries(outcomes.map((outcome) => [outcome, checks(kind, outcome)])) as Record<O, Series>
const senderStatusChecks = byOutcome("sender_status", SenderStatus.literals)
const verificationChecks = byOutcome("verification", VerificationOutcome.literals)
const senderStatusDuration = checkDuration("sender_status")
const verificationDuration = checkDuration("verification")

// hooks for Effect.tap: plain functions, so a check pays no extra effect for its metrics
export const senderStatusChecked = (event: SenderStatusFetched): void => {
  add(senderStatusChecks[event.status], 1)
  add(senderStatusDuration, event.durationMs / 1000)
}

export const verificationChecked = (verification: ReceiverVerification, seconds: number): void => {
  add(verificationChecks[verification.outcome], 1)
  add(verificationDuration, seconds)
}

export const roundCompleted = Effect.sync(() => add(rounds, 1))

export const alertDelivery = (outcome: "delivered" | "failed" | "gone" | "disabled"): void =>
  add(webhookDeliveries(outcome), 1)

export const historyRowsDropped = (rows: number): void => add(historyDropped, rows)

// the severed rule's write, when it changed the row
export const severedIfSome = (suspended: Option.Option<unknown>): void => {
  if (Option.isSome(suspended)) add(severed, 1)
}

const peerAnswered = Effect.sync(() => add(peerInFlight, -1))

// counted up and down whatever the exit, interruption included
export const peerRequest = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.uninterruptibleMask((restore) => {
    add(peerInFlight, 1)
    return Effect.onExit(restore(self), () => peerAnswered)
  })

export const syncApiRequest = (endpoint: string, status: number): void =>
  add(syncApiRequests(endpoint, String(status)), 1)

export const graphqlOperation = (type: string, hadErrors: boolean): void =>
  add(graphqlOperations(type, hadErrors ? "true" : "false"), 1)

export const subscriberOpened = (operation: string): void => add(subscribers(operation), 1)
export const subscriberClosed = (operation: string): void => add(subscribers(operation), -1)

export const subscriptionEncoded = (): void => add(subscriptionEncodings, 1)

export const slowReaderClosed = (transport: "graphql-ws" | "sse"): void => add(slowReaders(transport), 1)

// a request on the wire (Transport.exchange), counted in flight from its start to its answer or its cancelling,
// whichever comes first: its handler calls each once
export const peerCallStarted = (): void => add(peerInFlight, 1)
export const peerCallSettled = (): void => add(peerInFlight, -1)
