import * as SqlClient from "@effect/sql/SqlClient"
import * as SqlSchema from "@effect/sql/SqlSchema"
import { Context, DateTime, Effect, Layer, Schema } from "effect"
import * as Dialect from "../Db/Dialect.js"
import { ConnectionUuid, SEVERED_REASON } from "../Domain/Connection.js"
import { StatusChange } from "../Domain/StatusChange.js"

const Row = Schema.Struct({
  connection_uuid: ConnectionUuid,
  at: Schema.DateTimeUtc,
  from_state: Schema.NullOr(Schema.String),
  to_state: Schema.String,
  reason: Schema.NullOr(Schema.String)
})

const toChange = (row: typeof Row.Type) =>
  new StatusChange({
    connectionUuid: row.connection_uuid,
    at: row.at,
    from: row.from_state,
    to: row.to_state,
    reason: row.reason
  })

export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const dialect = yield* Dialect.StoreDialect

  const storeFailure = Dialect.storeFailure(dialect)

  // one multi-row statement per 500 changes, all in one transaction (History's write-behind). Not bounded by
  // DATABASE_TIMEOUT_MS: a write left running could still commit after its batch was put back for a retry
  const insertAll = (changes: ReadonlyArray<StatusChange>) =>
    Effect.gen(function* () {
      for (let i = 0; i < changes.length; i += 500) {
        yield* sql`INSERT INTO status_history ${sql.insert(
          changes.slice(i, i + 500).map((change) => ({
            connection_uuid: change.connectionUuid,
            at: DateTime.formatIso(change.at),
            from_state: change.from,
            to_state: change.to,
            reason: change.reason
          }))
        )}`
      }
    }).pipe(dialect.transaction, Effect.catchTag("SqlError", storeFailure))

  const findLatest = SqlSchema.findAll({
    Request: Schema.Struct({ uuid: Schema.String, limit: Schema.Int }),
    Result: Row,
    execute: ({ uuid, limit }) =>
      sql`SELECT * FROM status_history WHERE connection_uuid = ${uuid} ORDER BY id DESC LIMIT ${limit}`
  })

  const latest = (uuid: ConnectionUuid, limit: number) =>
    Dialect.readRows(dialect)(findLatest({ uuid, limit }), toChange)

  // ISO-8601 UTC text sorts as time
  const pruneBefore = (cutoff: DateTime.Utc) =>
    dialect
      .bounded(sql`DELETE FROM status_history WHERE at < ${DateTime.formatIso(cutoff)}`)
      .pipe(Effect.asVoid, Effect.catchTag("SqlError", storeFailure))

  // the outcome each connection's history last recorded (a sever's row is its status, not an outcome)
  const findOutcomes = SqlSchema.findAll({
    Request: Schema.Void,
    Result: Schema.Struct({ connection_uuid: ConnectionUuid, to_state: Schema.String }),
    execute: () =>
      sql`SELECT h.connection_uuid, h.to_state FROM status_history h JOIN (
            SELECT MAX(id) AS id FROM status_history
            WHERE NOT (to_state = 'SUSPENDED' AND reason = ${SEVERED_REASON}) GROUP BY connection_uuid
          ) m ON h.id = m.id`
  })
  const latestOutcomes = dialect
    .bounded(findOutcomes(undefined))
    .pipe(Effect.catchTags({ SqlError: storeFailure, ParseError: Effect.die }))

  return { insertAll, latest, pruneBefore, latestOutcomes } as const
})

export class HistoryRepo extends Context.Tag("syncwatch/HistoryRepo")<
  HistoryRepo,
  Effect.Effect.Success<typeof make>
>() {
  static readonly Sqlite = Layer.effect(HistoryRepo, make).pipe(Layer.provide(Dialect.StoreDialect.Sqlite))
  static readonly Pg = Layer.effect(HistoryRepo, make).pipe(Layer.provide(Dialect.StoreDialect.Pg))
  static readonly layer = Dialect.chosen(HistoryRepo.Sqlite, HistoryRepo.Pg)
}
