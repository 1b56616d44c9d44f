import { randomUUID } from "node:crypto"
import * as PgClient from "@effect/sql-pg/PgClient"
import { Clock, Config, Deferred, Duration, Effect, Layer, Queue, Schedule, Schema, Stream } from "effect"
import { Replication } from "../Connections/Replication.js"
import { ConnectionUuid } from "../Domain/Connection.js"
import { ChangeKind } from "../Domain/Events.js"
import { StatusChange } from "../Domain/StatusChange.js"
import { History } from "../History.js"
import * as Setting from "../Setting.js"

export const CONNECTIONS_CHANNEL = "syncwatch_connections"
export const HISTORY_CHANNEL = "syncwatch_history"
const CHANNELS = [CONNECTIONS_CHANNEL, HISTORY_CHANNEL]
// an instance probes its LISTEN session this often, and listens again after three probes unheard
const probeSeconds = Setting.integer("CLUSTER_LISTEN_PROBE_SECONDS", { min: 1, unit: "seconds" }).pipe(
  Config.withDefault(5)
)
// NOTIFY takes at most 8000 bytes: the only free text is a history row's reason
const MAX_REASON = 1000

// uuids and outcomes only: never a token or its hash (a connection is read back from the store)
const ConnectionNotice = Schema.parseJson(
  Schema.Struct({ origin: Schema.String, kind: ChangeKind, uuid: ConnectionUuid })
)
const HistoryNotice = Schema.parseJson(
  Schema.Struct({
    origin: Schema.String,
    connectionUuid: ConnectionUuid,
    at: Schema.DateTimeUtc,
    from: Schema.NullOr(Schema.String),
    to: Schema.String,
    reason: Schema.NullOr(Schema.String)
  })
)

// Every instance tells the others what it wrote, through PostgreSQL LISTEN/NOTIFY: a notification reaches
// every listening session at once, after the commit, with no extra moving part (the cluster's messaging
// addresses one entity, and a broadcast through it would mean an entity per instance and a poll of the
// message table). Each instance re-publishes what it hears to its own subscribers and its watcher's registry.
export const layer = Layer.scopedDiscard(
  Effect.gen(function* () {
    const pg = yield* PgClient.PgClient
    const replication = yield* Replication
    const history = yield* History
    const seconds = yield* probeSeconds
    const probeEvery = Duration.seconds(seconds)
    const quiet = Duration.seconds(3 * seconds)
    const origin = randomUUID()
    const ready = yield* Deferred.make<void>()
    const notify = (channel: string, payload: string) =>
      pg`SELECT pg_notify(${channel}, ${payload})`.pipe(
        Effect.asVoid,
        Effect.catchAll((error) => Effect.logWarning("Other instances were not told of a change", error))
      )

    const onConnection = (payload: string) =>
      Effect.flatMap(Schema.decode(ConnectionNotice)(payload), ({ origin: from, kind, uuid }) =>
        from === origin ? Effect.void : replication.received(kind, uuid)
      ).pipe(Effect.catchAll((error) => Effect.logWarning("A change notice from another instance was dropped", error)))

    const onHistory = (payload: string) =>
      Effect.flatMap(Schema.decode(HistoryNotice)(payload), ({ origin: from, ...row }) =>
        from === origin ? Effect.void : history.received(new StatusChange(row))
      ).pipe(Effect.catchAll((error) => Effect.logWarning("A history notice from another instance was dropped", error)))

    // This instance's own probe, sent on each channel every few seconds, proves its LISTEN session alive. The
    // driver's listening connection is not replaced when it breaks: a probe unheard for three periods means
    // the session is gone, and a new one is opened.
    const probe = `probe:${origin}`
    const heardAt = new Map<string, number>()
    const channel = (name: string, handle: (payload: string) => Effect.Effect<void>) =>
      Stream.runForEach(pg.listen(name), (payload) =>
        payload === probe
          ? Effect.map(Clock.currentTimeMillis, (now) => void heardAt.set(name, now))
          : payload.startsWith("probe:")
            ? Effect.void
            : handle(payload)
      )

    // Once a session hears its probes, every change committed from then on reaches it; what was committed
    // before (while the last session was gone, or at start, since the watcher read the registry) is read from
    // the store and told as if heard. History rows of that gap are not replayed: they are in the store (the
    // statusHistory query), or will be once their writer's round ends, and what they changed is in the rows.
    const catchUp = replication.catchUp.pipe(
      Effect.tap((told) =>
        told === 0 ? Effect.void : Effect.logInfo(`Caught up with ${told} changes made while not listening`)
      ),
      Effect.tapError((error) =>
        Effect.logWarning("Could not catch up with the changes made while not listening", error)
      ),
      Effect.retry(Schedule.spaced(Duration.seconds(1)))
    )

    const watch = Effect.gen(function* () {
      const since = yield* Clock.currentTimeMillis
      for (const name of CHANNELS) heardAt.set(name, since)
      let listening = false
      for (;;) {
        yield* Effect.forEach(CHANNELS, (name) => notify(name, probe), { discard: true })
        yield* Effect.sleep(listening ? probeEvery : Duration.millis(200))
        const now = yield* Clock.currentTimeMillis
        const heard = CHANNELS.map((name) => heardAt.get(name) ?? since)
        if (!listening && heard.every((at) => at > since)) {
          listening = true
          yield* Deferred.succeed(ready, void 0)
          yield* Effect.forkScoped(catchUp)
        }
        if (heard.some((at) => now - at > Duration.toMillis(quiet))) {
          return yield* Effect.fail(new Error("the LISTEN session went quiet"))
        }
      }
    }).pipe(Effect.scoped)
    const session = Effect.raceFirst(
      Effect.all([channel(CONNECTIONS_CHANNEL, onConnection), channel(HISTORY_CHANNEL, onHistory)], {
        concurrency: "unbounded",
        discard: true
      }),
      watch
    )
    yield* session.pipe(
      Effect.tapErrorCause((cause) => Effect.logWarning("Listening to the other instances again", cause)),
      Effect.retry(Schedule.spaced(Duration.seconds(1))),
      Effect.forkScoped
    )

    const written = yield* replication.subscribeWritten
    const statusWritten = yield* history.subscribeWritten
    yield* Queue.take(written).pipe(
      Effect.flatMap((change) =>
        Effect.flatMap(
          Schema.encode(ConnectionNotice)({ origin, kind: change.kind, uuid: change.connectionUuid }),
          (payload) => notify(CONNECTIONS_CHANNEL, payload)
        )
      ),
      Effect.forever,
      Effect.forkScoped
    )
    yield* Queue.take(statusWritten).pipe(
      Effect.flatMap((change) =>
        Effect.flatMap(
          Schema.encode(HistoryNotice)({
            origin,
            connectionUuid: change.connectionUuid,
            at: change.at,
            from: change.from,
            to: change.to,
            reason: change.reason === null ? null : change.reason.slice(0, MAX_REASON)
          }),
          (payload) => notify(HISTORY_CHANNEL, payload)
        )
      ),
      Effect.forever,
      Effect.forkScoped
    )

    // the start waits until this instance hears its own probes: once it serves, no change is missed
    yield* Deferred.await(ready).pipe(
      Effect.timeoutFail({
        duration: Duration.seconds(10),
        onTimeout: () => new Error("PostgreSQL LISTEN/NOTIFY did not answer within 10 s (DATABASE_URL)")
      })
    )
  })
).pipe(Layer.provide(Replication.layer))
