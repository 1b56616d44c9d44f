import { Clock, Config, DateTime, Duration, Effect, identity, Option, Schedule, Stream } from "effect"
import * as CompletionOrder from "./CompletionOrder.js"
import { Connections } from "./Connections.js"
import { type Connection, type ConnectionUuid, isVerifiable, SEVERED_REASON } from "./Domain/Connection.js"
import { InvalidInput } from "./Domain/Errors.js"
import {
  ReceiverConnectionSevered,
  ReceiverVerification,
  type SenderStatusFetched,
  SeveringHeld,
  type StatusEvent,
  StatusRoundCompleted
} from "./Domain/Events.js"
import { History } from "./History.js"
import * as Metrics from "./Metrics.js"
import { SharedRegistry } from "./SharedRegistry.js"
import * as SingleFlight from "./SingleFlight.js"
import { StatusChecks } from "./StatusChecks.js"
import * as LastKnown from "./Watcher/LastKnown.js"
import * as Registry from "./Watcher/Registry.js"
import type { LastVerification } from "./Watcher/Repo.js"
import { WatcherRepo } from "./Watcher/Repo.js"
import * as Severing from "./Watcher/Severing.js"

const positive = (name: string, fallback: number, min: number) =>
  Config.integer(name).pipe(
    Config.validate({ message: `${name} must be an integer >= ${min}`, validation: (n) => n >= min }),
    Config.withDefault(fallback)
  )

// the guard of Connections.suspendSevered, read from the registry in memory first
const canSever = (connection: Connection) =>
  connection.status !== "suspended" && connection.status !== "revoked" && connection.status !== "expired"

const LIKELY_CAUSE =
  "Severing held: most eligible senders answered not found in one round. Likely cause: our SITE_URL changed " +
  "(remotes look connections up by the URL we registered with), or a remote restored an old database"

// One watcher for every subscriber: checks are shared (a result younger than the asker's interval is
// served from memory), the last result of each connection is kept, and severing sees a whole round.
export class Watcher extends Effect.Service<Watcher>()("syncwatch/Watcher", {
  scoped: Effect.gen(function* () {
    const connections = yield* Connections
    const checks = yield* StatusChecks
    const history = yield* History
    const concurrency = yield* positive("CHECK_CONCURRENCY", 64, 1)
    const monitorEvery = yield* positive("MONITOR_EVERY_SECONDS", 0, 0)
    const rule = yield* Severing.config
    const shared = yield* SharedRegistry
    const registry = yield* Registry.make
    const known = yield* LastKnown.make
    const statusFlight = SingleFlight.make<string, SenderStatusFetched, never>()
    const verifyFlight = SingleFlight.make<string, LastVerification, never>()
    let lastHeldAt = Number.NEGATIVE_INFINITY

    // as StatusChecks: a receiver still pending (registered by another site, not yet approved) is not
    // checked in a round or an unfiltered senderStatuses; asked for by uuid, it is
    const checkedReceivers = () => registry.ofDirection("receiver").filter((c) => c.status !== "pending")

    const sync = Effect.flatMap(registry.sync, (applied) =>
      Effect.forEach(
        applied,
        (change) => (change.kind === "deleted" ? Effect.sync(() => known.forget(change.connectionUuid)) : Effect.void),
        { discard: true }
      )
    )
    // With a shared registry, another instance's checks count too when deciding what is fresh: its newest
    // results are read from the store, at most once a second however many rounds and fields ask (edges of
    // under a second may ask a remote twice)
    const refresh = shared ? yield* Effect.cachedWithTTL(Effect.ignore(known.reload), Duration.seconds(1)) : Effect.void
    yield* Stream.runForEach(connections.changes, () => sync).pipe(Effect.forkScoped)

    // Concurrent askers of one connection share one check (SingleFlight: no fiber per key), which lives until
    // the last of them leaves. Its result is recorded once, in the check's own callback: whoever asks next
    // finds it in memory.
    const checkReceiver = (
      connection: Connection,
      maxAgeMillis: number,
      now: number
    ): Effect.Effect<SenderStatusFetched> => {
      const fresh = known.freshStatus(connection.uuid, maxAgeMillis, now)
      if (fresh !== undefined) return Effect.succeed(fresh)
      return checks.observed(
        "get-connection-status",
        connection,
        identity<SenderStatusFetched>
      )(statusFlight(connection.uuid, SingleFlight.map(checks.receiverCheck(connection), known.recordStatus)))
    }

    const verifySender = (
      connection: Connection,
      maxAgeMillis: number,
      now: number
    ): Effect.Effect<LastVerification> => {
      const fresh = known.freshVerification(connection.uuid, maxAgeMillis, now)
      if (fresh !== undefined) return Effect.succeed(fresh)
      const check = SingleFlight.map(checks.senderVerification(connection), known.recordVerification)
      const observed = checks.observed("verify-connection", connection, (last: LastVerification) => last.verification)
      return Effect.tap(observed(verifyFlight(connection.uuid, check)), (last) =>
        checks.logVerification(connection, last.verification)
      )
    }

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
            (latest, { verification }) => Math.max(latest, DateTime.toEpochMillis(verification.checkedAt)),
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
          return row === undefined || at === undefined || DateTime.greaterThanOrEqualTo(at, row.updatedAt)
        })
        const severed = yield* Effect.forEach(current, sever)
        return { decision, severed: severed.flatMap(Option.toArray) }
      })

    const round = (number: number, maxAgeMillis: number): Stream.Stream<StatusEvent> =>
      Stream.unwrap(
        Effect.gen(function* () {
          yield* sync
          yield* refresh
          const now = yield* Clock.currentTimeMillis
          const receivers = checkedReceivers()
          const senders = registry.ofDirection("sender").filter(isVerifiable)
          let checked = 0
          let severed = 0
          const fresh = receivers.flatMap((r) => known.freshStatus(r.uuid, maxAgeMillis, now) ?? [])
          const stale = receivers.filter((r) => known.freshStatus(r.uuid, maxAgeMillis, now) === undefined)
          const statuses = Stream.fromIterable(fresh).pipe(
            Stream.concat(CompletionOrder.streamed(stale, (r) => checkReceiver(r, maxAgeMillis, now), concurrency)),
            Stream.tap(() => Effect.sync(() => checked++))
          )
          const severing = Stream.unwrap(
            Effect.gen(function* () {
              const batch = yield* CompletionOrder.collected(
                senders,
                (s) => verifySender(s, maxAgeMillis, now),
                concurrency
              )
              checked += batch.length
              const outcome = yield* applySevering(batch)
              severed = outcome.severed.length
              const { held, notFound, eligible } = outcome.decision
              return Stream.fromIterable<StatusEvent>([
                ...(held ? [new SeveringHeld({ round: number, notFound, eligible })] : []),
                ...outcome.severed.map(
                  (connection) => new ReceiverConnectionSevered({ connectionUuid: connection.uuid, connection })
                )
              ])
            })
          )
          // the round's results are in the store before it says it is complete
          const completed = Effect.zipRight(
            known.flush,
            Effect.sync(() => new StatusRoundCompleted({ round: number, checked, severed }))
          ).pipe(Effect.zipLeft(Metrics.roundCompleted))
          return Stream.merge(statuses, severing).pipe(Stream.concat(Stream.fromEffect(completed)))
        })
      ).pipe(Stream.withSpan("Watcher.round", { attributes: { round: number } }))

    // one round now; with everySeconds, another after each interval (plus up to 10% jitter) until the
    // consumer leaves. A result younger than everySeconds is served from memory (G1, G3).
    const statusEvents = (everySeconds?: number): Stream.Stream<StatusEvent, InvalidInput> => {
      if (everySeconds !== undefined && !(Number.isInteger(everySeconds) && everySeconds >= 1)) {
        return Stream.fail(new InvalidInput({ field: "everySeconds", message: "everySeconds must be an integer >= 1" }))
      }
      return Stream.suspend(() => {
        let rounds = 0
        const next = Stream.suspend(() => round(++rounds, (everySeconds ?? 0) * 1000))
        if (everySeconds === undefined) return next
        // whole milliseconds: a jittered delay in fractional nanoseconds kills the TestClock's sleep (BigInt)
        const spacing = Schedule.spaced(Duration.seconds(everySeconds)).pipe(
          Schedule.jitteredWith({ min: 1, max: 1.1 }),
          Schedule.modifyDelay((_, delay) => Duration.millis(Math.round(Duration.toMillis(delay))))
        )
        return Stream.repeat(next, spacing)
      })
    }

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
      maxAgeSeconds = 0
    ) {
      if (!(Number.isInteger(maxAgeSeconds) && maxAgeSeconds >= 0)) {
        return yield* new InvalidInput({ field: "maxAgeSeconds", message: "maxAgeSeconds must be an integer >= 0" })
      }
      const receivers = yield* receiversOf(uuids)
      yield* refresh
      const now = yield* Clock.currentTimeMillis
      return yield* CompletionOrder.collected(
        receivers,
        (r) => checkReceiver(r, maxAgeSeconds * 1000, now),
        concurrency,
        {
          inOrder: true
        }
      ).pipe(Effect.ensuring(known.flush))
    })

    // verifyReceiverConnections: the asked senders are a round of their own for the severed rule
    const verifySenders = Effect.fn("Watcher.verifySenders")(function* (uuids?: ReadonlyArray<string>) {
      yield* sync
      const senders = uuids === undefined ? registry.ofDirection("sender") : yield* byUuids("sender", uuids)
      yield* refresh
      const now = yield* Clock.currentTimeMillis
      // the checks' results and the severs' history rows are in the store before the mutation answers
      const { batch, severed } = yield* CompletionOrder.collected(
        senders.filter(isVerifiable),
        (s) => verifySender(s, 0, now),
        concurrency,
        {
          inOrder: true
        }
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

    // MONITOR_EVERY_SECONDS: one more subscriber nobody sees, so history, alerts and severing run unattended.
    // A round that fails is logged, and the monitor subscribes again after an interval (a store that cannot
    // take its results does not fail it: they wait in the write-behind). With a shared registry it
    // runs once across the cluster (Cluster.ts runs it as a singleton).
    const monitor =
      monitorEvery > 0
        ? Stream.runDrain(statusEvents(monitorEvery)).pipe(
            Effect.catchAllCause((cause) =>
              Effect.logError("A monitor round failed; the next starts in an interval", cause)
            ),
            Effect.zipRight(Effect.sleep(Duration.seconds(monitorEvery))),
            Effect.forever
          )
        : Effect.never
    if (monitorEvery > 0 && !shared) yield* Effect.forkScoped(monitor)

    return {
      monitor,
      statusEvents,
      senderStatuses,
      verifySenders,
      lastSenderStatus: (connection: Connection) =>
        Effect.map(refresh, () =>
          connection.direction === "receiver" ? (known.status(connection.uuid) ?? null) : null
        ),
      lastVerification: (connection: Connection) =>
        Effect.map(refresh, () =>
          connection.direction === "sender" ? (known.verification(connection.uuid)?.verification ?? null) : null
        ),
      statusHistory: (connection: Connection, limit?: number) => history.latest(connection.uuid, limit),
      statusChanged: history.changes
    } as const
  }),
  dependencies: [WatcherRepo.layer]
}) {}
