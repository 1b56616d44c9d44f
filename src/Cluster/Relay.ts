import { randomUUID } from "node:crypto"
import * as PgClient from "@effect/sql-pg/PgClient"
import { Clock, Deferred, Duration, Effect, Layer, Queue, Schedule, Schema, Stream } from "effect"
import { Connections } from "../Connections.js"
import { ConnectionUuid } from "../Domain/Connection.js"
import { ChangeKind } from "../Domain/Events.js"
import { StatusChange } from "../Domain/StatusChange.js"
import { History } from "../History.js"

export const CONNECTIONS_CHANNEL = "syncwatch_connections"
export const HISTORY_CHANNEL = "syncwatch_history"
const CHANNELS = [CONNECTIONS_CHANNEL, HISTORY_CHANNEL]
const PROBE_EVERY = Duration.seconds(5)
const LISTEN_QUIET = Duration.seconds(15)
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
    const connections = yield* Connections
    const history = yield* History
    const origin = randomUUID()
    const ready = yield* Deferred.make<void>()
    const notify = (channel: string, payload: string) =>
      pg`SELECT pg_notify(${channel}, ${payload})`.pipe(
        Effect.asVoid,
        Effect.catchAll((error) => Effect.logWarning("Other instances were not told of a change", error))
      )

    const onConnection = (payload: string) =>
      Effect.flatMap(Schema.decode(ConnectionNotice)(payload), ({ origin: from, kind, uuid }) =>
        from === origin ? Effect.void : connections.received(kind, uuid)
      ).pipe(Effect.catchAll((error) => Effect.logWarning("A change notice from another instance was dropped", error)))

    const onHistory = (payload: string) =>
      Effect.flatMap(Schema.decode(HistoryNotice)(payload), ({ origin: from, ...row }) =>
        from === origin ? Effect.void : history.received(new StatusChange(row))
      ).pipe(Effect.catchAll((error) => Effect.logWarning("A history notice from another instance was dropped", error)))

    // This instance's own probe, sent on each channel every few seconds, proves its LISTEN session alive. The
    // driver's listening connection is not replaced when it breaks: a probe unheard for LISTEN_QUIET means the
    // session is gone, and a new one is opened (changes in between are not replayed to this instance).
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
    const watch = Effect.gen(function* () {
      const since = yield* Clock.currentTimeMillis
      for (const name of CHANNELS) heardAt.set(name, since)
      for (;;) {
        yield* Effect.forEach(CHANNELS, (name) => notify(name, probe), { discard: true })
        const alive = yield* Deferred.isDone(ready)
        yield* Effect.sleep(alive ? PROBE_EVERY : Duration.millis(200))
        const now = yield* Clock.currentTimeMillis
        const heard = CHANNELS.map((name) => heardAt.get(name) ?? since)
        if (heard.every((at) => at > since)) yield* Deferred.succeed(ready, void 0)
        if (heard.some((at) => now - at > Duration.toMillis(LISTEN_QUIET))) {
          return yield* Effect.fail(new Error("the LISTEN session went quiet"))
        }
      }
    })
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

    const written = yield* connections.subscribeWritten
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
)
