import { randomUUID } from "node:crypto"
import * as PgClient from "@effect/sql-pg/PgClient"
import { Deferred, Duration, Effect, Layer, Queue, Schedule, Schema, Stream } from "effect"
import { Connections } from "../Connections.js"
import { ConnectionUuid } from "../Domain/Connection.js"
import { ChangeKind } from "../Domain/Events.js"
import { StatusChange } from "../Domain/StatusChange.js"
import { History } from "../History.js"

export const CONNECTIONS_CHANNEL = "syncwatch_connections"
export const HISTORY_CHANNEL = "syncwatch_history"
// NOTIFY takes at most 8000 bytes: the only free text is a history row's reason
const MAX_REASON = 1000

// uuids and outcomes only: never a token or its hash (a connection is read back from the store)
const ConnectionNotice = Schema.parseJson(
  Schema.Struct({
    origin: Schema.String,
    kind: Schema.Union(ChangeKind, Schema.Literal("listening")),
    uuid: Schema.String
  })
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
    const listening = yield* Deferred.make<void>()
    const notify = (channel: string, payload: string) =>
      pg`SELECT pg_notify(${channel}, ${payload})`.pipe(
        Effect.asVoid,
        Effect.catchAll((error) => Effect.logWarning("Other instances were not told of a change", error))
      )

    const onConnection = (payload: string) =>
      Effect.flatMap(Schema.decode(ConnectionNotice)(payload), ({ origin: from, kind, uuid }) => {
        if (kind === "listening") return from === origin ? Deferred.succeed(listening, void 0) : Effect.void
        if (from === origin) return Effect.void
        return Effect.flatMap(Schema.decode(ConnectionUuid)(uuid), (decoded) => connections.received(kind, decoded))
      }).pipe(Effect.catchAll((error) => Effect.logWarning("A change notice from another instance was dropped", error)))

    const onHistory = (payload: string) =>
      Effect.flatMap(Schema.decode(HistoryNotice)(payload), ({ origin: from, ...row }) =>
        from === origin ? Effect.void : history.received(new StatusChange(row))
      ).pipe(Effect.catchAll((error) => Effect.logWarning("A history notice from another instance was dropped", error)))

    yield* Stream.runForEach(pg.listen(CONNECTIONS_CHANNEL), onConnection).pipe(Effect.forkScoped)
    yield* Stream.runForEach(pg.listen(HISTORY_CHANNEL), onHistory).pipe(Effect.forkScoped)

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

    // the start waits until this instance hears its own notice: once it serves, no change is missed
    const probe = Effect.flatMap(Schema.encode(ConnectionNotice)({ origin, kind: "listening", uuid: "" }), (payload) =>
      notify(CONNECTIONS_CHANNEL, payload)
    )
    yield* Deferred.await(listening).pipe(
      Effect.raceFirst(Effect.zipRight(Effect.repeat(probe, Schedule.spaced(Duration.millis(200))), Effect.never)),
      Effect.timeoutFail({
        duration: Duration.seconds(10),
        onTimeout: () => new Error("PostgreSQL LISTEN/NOTIFY did not answer within 10 s (DATABASE_URL)")
      })
    )
  })
)
