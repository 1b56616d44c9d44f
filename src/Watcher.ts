import { type Cause, Clock, Config, DateTime, Deferred, Duration, Effect, Option, Stream } from "effect"
import * as CompletionOrder from "./CompletionOrder.js"
import { Connections } from "./Connections.js"
import {
  type Connection,
  type ConnectionUuid,
  canSever,
  isPendingReceiver,
  isVerifiable,
  SEVERED_REASON
} from "./Domain/Connection.js"
import { type ConnectionNotFound, InvalidInput, type StoreUnavailable } from "./Domain/Errors.js"
import {
  ReceiverConnectionSevered,
  ReceiverVerification,
  type SenderStatusFetched,
  type StatusEvent,
  type StatusRound
} from "./Domain/Events.js"
import type { Role } from "./Domain/Role.js"
import type { StatusChange } from "./Domain/StatusChange.js"
import * as Feed from "./Feed.js"
import { History } from "./History.js"
import { LastKnown, type LastVerification } from "./LastKnown.js"
import * as Metrics from "./Metrics.js"
import { Owners } from "./Owners.js"
import * as Setting from "./Setting.js"
import { checkConcurrency, type Freshness, StatusChecks } from "./StatusChecks.js"
import * as Hubs from "./Watcher/Hubs.js"
import * as Registry from "./Watcher/Registry.js"
import * as Severing from "./Watcher/Severing.js"
import * as Subscribers from "./Watcher/Subscribers.js"

export const monitorEverySeconds = Setting.integer("MONITOR_EVERY_SECONDS", {
  min: 0,
  unit: "seconds, 0 for off"
}).pipe(Config.withDefault(0))

const LIKELY_CAUSE =
  "Severing held: most eligible senders answered not found in one round. Likely cause: our SITE_URL changed " +
  "(remotes look connections up by the URL we registered with), or a remote restored an old database"

// who may apply the severed rule: the monitor and an admin (issue 18: a viewer's reads never write)
const severs = (role: Role) => role === "admin"

const invalidEvery = (everySeconds: number | undefined) =>
  everySeconds !== undefined && !(Number.isInteger(everySeconds) && everySeconds >= 1)
    ? new InvalidInput({ field: "everySeconds", message: "everySeconds must be an integer >= 1" })
    : undefined

// The watcher's contract: the rounds as streams (statusEvents result by result, statusRounds one list a round),
// the checks asked for at once, and what is known of each connection
export interface WatcherApi {
  readonly statusEvents: (everySeconds?: number, role?: Role) => Stream.Stream<StatusEvent, InvalidInput>
  readonly statusRounds: (everySeconds?: number, role?: Role) => Stream.Stream<StatusRound, InvalidInput>
  // `onEach` is told each result in the answer's order as soon as it and those before it are known
  readonly senderStatuses: (
    uuids?: ReadonlyArray<string>,
    maxAgeSeconds?: number,
    onEach?: (status: SenderStatusFetched) => void
  ) => Effect.Effect<ReadonlyArray<SenderStatusFetched>, InvalidInput | ConnectionNotFound | StoreUnavailable>
  readonly verifySenders: (
    uuids?: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyArray<ReceiverVerification>, InvalidInput | ConnectionNotFound | StoreUnavailable>
  readonly lastSenderStatus: (connection: Connection) => Effect.Effect<SenderStatusFetched | null>
  readonly lastVerification: (connection: Connection) => Effect.Effect<ReceiverVerification | null>
  readonly statusHistory: (
    connection: Connection,
    limit?: number
  ) => Effect.Effect<ReadonlyArray<StatusChange>, InvalidInput | StoreUnavailable>
  readonly statusChanged: Stream.Stream<StatusChange>
}

// One watcher for every subscriber: one schedule per interval in use, whose rounds every subscriber of that
// interval receives (the same event objects); checks are shared (a result younger than the asker's interval is
// served from memory), the last result of each connection is kept, and severing sees a whole round.
export class Watcher extends Effect.Service<Watcher>()("syncwatch/Watcher", {
  scoped: Effect.gen(function* () {
    const connections = yield* Connections
    const checks = yield* StatusChecks
    const owners = yield* Owners
    const history = yield* History
    const known = yield* LastKnown
    const concurrency = yield* checkConcurrency
    const monitorEvery = yield* monitorEverySeconds
    const rule = yield* Severing.config
    const registry = yield* Registry.make
    let lastHeldAt = Number.NEGATIVE_INFINITY

    // not in a round or an unfiltered senderStatuses; asked for by uuid, it is
    const checkedReceivers = () => registry.ofDirection("receiver").filter((c) => !isPendingReceiver(c))

    const sync = Effect.flatMap(registry.sync, (applied) =>
      Effect.forEach(
        applied,
        (change) => (change.kind === "deleted" ? Effect.sync(() => known.forget(change.connectionUuid)) : Effect.void),
        { discard: true }
      )
    )
    yield* Stream.runForEach(connections.changes, () => sync).pipe(Effect.forkScoped)
    // what the other instances ask of this one (their connections' rows it owns) is read here, never from the store
    yield* owners.serve((uuids) =>
      Effect.as(
        sync,
        uuids.flatMap((uuid) => registry.get(uuid) ?? [])
      )
    )

    // A4 under SEVER_AFTER and the mass-sever brake; the write finishes even if the asker leaves
    const sever = (uuid: ConnectionUuid) =>
      Effect.gen(function* () {
        const before = registry.get(uuid)
        // already severed (every subscriber's round sees the same not-found): no write to refuse
        if (before !== undefined && !canSever(before)) return Option.none<Connection>()
        const suspended = yield* connections
          .suspendSevered(uuid)
          .pipe(
            Effect.catchTag("StoreUnavailable", (error) =>
              Effect.as(Effect.logError("The severed rule could not be applied", error), Option.none<Connection>())
            )
          )
        if (Option.isSome(suspended)) {
          yield* history.append(
            uuid,
            before === undefined ? null : before.status.toUpperCase(),
            "SUSPENDED",
            SEVERED_REASON
          )
        }
        return suspended
      }).pipe(Effect.tap(Metrics.severedIfSome), Effect.uninterruptible)

    const applySevering = (batch: ReadonlyArray<LastVerification>) =>
      Effect.gen(function* () {
        const decision = Severing.decide(batch, rule)
        if (decision.held) {
          // every subscriber's round sees the same results: say it once per new check
          const newest = batch.reduce(
            (latest, { verification }) => Math.max(latest, verification.checkedAt),
            Number.NEGATIVE_INFINITY
          )
          if (newest > lastHeldAt) {
            lastHeldAt = newest
            yield* Effect.logError(LIKELY_CAUSE).pipe(
              Effect.annotateLogs({ notFound: decision.notFound, eligible: decision.eligible })
            )
          }
        }
        // a not-found checked before the row last changed (an admin reactivated it) is no reason to sever it
        const checkedAt = new Map(batch.map(({ verification: v }) => [v.connectionUuid as string, v.checkedAt]))
        const current = decision.toSever.filter((uuid) => {
          const row = registry.get(uuid)
          const at = checkedAt.get(uuid)
          return row === undefined || at === undefined || at >= DateTime.toEpochMillis(row.updatedAt)
        })
        const severed = yield* Effect.forEach(current, sever)
        return { decision, severed: severed.flatMap(Option.toArray) }
      })

    // One round: every receiver's status and every eligible sender's verification (fresh enough ones from
    // memory), each status told to the audience as it completes; with `severing`, the severed rule over the
    // round's verifications. The round's results are in the store before it says it is complete.
    const round = (maxAgeMillis: number, severing: () => boolean, audience: Subscribers.Audience) =>
      Effect.gen(function* () {
        yield* sync
        yield* known.refresh
        const version = registry.version()
        // asked when the verifications are in: a subscriber that severs may have joined meanwhile
        let severs = false
        const freshness: Freshness = { maxAgeMillis, now: yield* Clock.currentTimeMillis }
        const receivers = checkedReceivers()
        const senders = registry.ofDirection("sender").filter(isVerifiable)
        const [statuses, verified] = yield* Effect.all(
          [
            owners.statuses(receivers, freshness, audience.status),
            Effect.flatMap(owners.verifications(senders, freshness), (batch) => {
              severs = severing()
              return Effect.map(severs ? applySevering(batch) : Effect.succeed(undefined), (outcome) => {
                const held = outcome?.decision.held === true ? outcome.decision : undefined
                const severed = (outcome?.severed ?? []).map(
                  (connection) => new ReceiverConnectionSevered({ connectionUuid: connection.uuid, connection })
                )
                audience.severing({ held, severed })
                return { verifications: batch.map((last) => last.verification), held, severed }
              })
            })
          ],
          { concurrency: 2 }
        )
        yield* known.flush
        yield* Metrics.roundCompleted
        const outcome: Subscribers.Outcome = {
          statuses,
          verifications: verified.verifications,
          severed: verified.severed,
          held: verified.held,
          completedAt: DateTime.unsafeMake(yield* Clock.currentTimeMillis),
          version,
          severing: severs
        }
        audience.completed(outcome)
        return outcome
      }).pipe(Effect.withSpan("Watcher.round"))

    // what a round now would find again: the same registry, and each result the latest known and still fresh
    const current: Hubs.Current = (outcome, maxAgeMillis, severs) =>
      Effect.gen(function* () {
        if (outcome.severed.length > 0 || outcome.held !== undefined || (severs && !outcome.severing)) return false
        yield* sync
        yield* known.refresh
        if (registry.version() !== outcome.version) return false
        const now = yield* Clock.currentTimeMillis
        return (
          outcome.statuses.every((s) => known.freshStatus(s.connectionUuid, maxAgeMillis, now) === s) &&
          outcome.verifications.every(
            (v) => known.freshVerification(v.connectionUuid, maxAgeMillis, now)?.verification === v
          )
        )
      })

    const hubs = yield* Hubs.make(round, current)

    // one round now; with everySeconds, the interval's rounds until the listener leaves. A feed: each listener
    // is told by the rounds themselves (a Stream for any consumer, listened to directly by the GraphQL edge)
    const subscribe = <A>(
      everySeconds: number | undefined,
      subscriberOf: (listener: Feed.Listener<A>) => Subscribers.Subscriber
    ): Stream.Stream<A, InvalidInput> => {
      const invalid = invalidEvery(everySeconds)
      if (invalid !== undefined) return Stream.fail(invalid)
      return Feed.toStream(
        Feed.make((listener) => {
          const subscriber = subscriberOf(listener)
          if (everySeconds !== undefined) return hubs.join(everySeconds, subscriber)
          const once = round(
            0,
            () => subscriber.severs,
            Subscribers.audience([subscriber], new Subscribers.Broadcast(1))
          )
          return Effect.asVoid(
            Effect.forkScoped(
              once.pipe(
                Effect.matchCause({
                  onSuccess: subscriber.end,
                  onFailure: (cause) => subscriber.fail(cause as Cause.Cause<never>)
                })
              )
            )
          )
        })
      )
    }

    // result by result: each status as it completes, the severs, then the round's summary (counted from 1)
    const statusEvents = (everySeconds?: number, role: Role = "viewer"): Stream.Stream<StatusEvent, InvalidInput> =>
      subscribe(everySeconds, Subscribers.events(severs(role)))

    // the page's feed: one StatusRound a round
    const statusRounds = (everySeconds?: number, role: Role = "viewer"): Stream.Stream<StatusRound, InvalidInput> =>
      subscribe(everySeconds, Subscribers.rounds(severs(role)))

    // asked for by uuid: unknown uuids are ConnectionNotFound, connections of the other direction InvalidInput
    const byUuids = (direction: Connection["direction"], uuids: ReadonlyArray<string>) =>
      Effect.flatMap(connections.getMany(uuids), (found) => {
        const wrong = found.find((connection) => connection.direction !== direction)
        return wrong === undefined
          ? Effect.succeed(found)
          : new InvalidInput({ field: "uuids", message: `Connection ${wrong.uuid} is not a ${direction}` })
      })

    const receiversOf = (uuids?: ReadonlyArray<string>) =>
      uuids === undefined ? Effect.map(sync, checkedReceivers) : byUuids("receiver", uuids)

    const senderStatuses = Effect.fn("Watcher.senderStatuses")(function* (
      uuids?: ReadonlyArray<string>,
      maxAgeSeconds = 0,
      onEach?: (status: SenderStatusFetched) => void
    ) {
      if (!(Number.isInteger(maxAgeSeconds) && maxAgeSeconds >= 0)) {
        return yield* new InvalidInput({ field: "maxAgeSeconds", message: "maxAgeSeconds must be an integer >= 0" })
      }
      const receivers = yield* receiversOf(uuids)
      yield* known.refresh
      const freshness: Freshness = { maxAgeMillis: maxAgeSeconds * 1000, now: yield* Clock.currentTimeMillis }
      return yield* CompletionOrder.collected(receivers, (r) => checks.checkReceiver(r, freshness), concurrency, {
        inOrder: true,
        ...(onEach === undefined ? {} : { onEach })
      }).pipe(Effect.ensuring(known.flush))
    })

    // verifyReceiverConnections: the asked senders are a round of their own for the severed rule
    const verifySenders = Effect.fn("Watcher.verifySenders")(function* (uuids?: ReadonlyArray<string>) {
      yield* sync
      const senders = uuids === undefined ? registry.ofDirection("sender") : yield* byUuids("sender", uuids)
      yield* known.refresh
      // the checks' results and the severs' history rows are in the store before the mutation answers
      const { batch, severed } = yield* CompletionOrder.collected(
        senders.filter(isVerifiable),
        (s) => checks.verifySender(s),
        concurrency,
        { inOrder: true }
      ).pipe(
        Effect.flatMap((batch) => Effect.map(applySevering(batch), ({ severed }) => ({ batch, severed }))),
        Effect.ensuring(known.flush)
      )
      const byUuid = new Map(severed.map((connection) => [connection.uuid as string, connection]))
      return batch.map(({ verification }) => {
        const connection = byUuid.get(verification.connectionUuid)
        return connection === undefined
          ? verification
          : new ReceiverVerification({ ...verification, suspended: true, connection }, { disableValidation: true })
      })
    })

    // MONITOR_EVERY_SECONDS: one more subscriber of its interval, nobody sees, whose rounds apply the severed
    // rule, so history, alerts and severing run unattended. A round that fails is logged, and the monitor
    // joins again after an interval (a store that cannot take its results does not fail it: they wait in the
    // write-behind). In a cluster it runs once across it (Owners: a singleton).
    const monitored = Effect.gen(function* () {
      const failed = yield* Deferred.make<never>()
      yield* hubs.join(monitorEvery, {
        severs: true,
        resultByResult: false,
        ready: false,
        statuses: () => {},
        severing: () => {},
        completed: () => {},
        fail: (cause) => Deferred.unsafeDone(failed, Effect.failCause(cause)),
        end: () => {}
      })
      return yield* Deferred.await(failed)
    })
    if (monitorEvery > 0) {
      yield* owners.monitor(
        Effect.scoped(monitored).pipe(
          Effect.catchAllCause((cause) =>
            Effect.logError("A monitor round failed; the next starts in an interval", cause)
          ),
          Effect.zipRight(Effect.sleep(Duration.seconds(monitorEvery))),
          Effect.forever
        )
      )
    }

    const api: WatcherApi = {
      statusEvents,
      statusRounds,
      senderStatuses,
      verifySenders,
      lastSenderStatus: (connection: Connection) =>
        Effect.map(known.refresh, () =>
          connection.direction === "receiver" ? (known.status(connection.uuid) ?? null) : null
        ),
      lastVerification: (connection: Connection) =>
        Effect.map(known.refresh, () =>
          connection.direction === "sender" ? (known.verification(connection.uuid)?.verification ?? null) : null
        ),
      statusHistory: (connection: Connection, limit?: number) => history.latest(connection.uuid, limit),
      statusChanged: history.changes
    }
    return api
  })
}) {}
