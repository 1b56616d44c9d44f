import * as SqlClient from "@effect/sql/SqlClient"
import * as SqlSchema from "@effect/sql/SqlSchema"
import { Context, DateTime, Effect, Layer, Schema } from "effect"
import * as Dialect from "../Db/Dialect.js"
import type { StoreUnavailable } from "../Domain/Errors.js"
import { BUCKETS, type HourRollup } from "../Domain/Uptime.js"

const BUCKET_COLUMNS = Array.from({ length: BUCKETS }, (_, i) => `b${i}`)

const Row = Schema.Struct({
  connection_uuid: Schema.String,
  hour: Schema.DateTimeUtc,
  checks: Schema.Number,
  healthy: Schema.Number,
  maintenance: Schema.Number,
  ...Object.fromEntries(BUCKET_COLUMNS.map((column) => [column, Schema.Number] as const))
})

const toRollup = (row: typeof Row.Type): HourRollup => {
  const values = row as unknown as Record<string, number>
  return {
    connectionUuid: row.connection_uuid,
    hour: DateTime.toEpochMillis(row.hour),
    checks: Number(row.checks),
    healthy: Number(row.healthy),
    maintenance: Number(row.maintenance),
    buckets: BUCKET_COLUMNS.map((column) => Number(values[column]))
  }
}

export interface RollupsRepoApi {
  // hours added to what the store holds (several instances may add to one hour), and the rows of deleted
  // connections removed, in one transaction
  readonly add: (
    hours: ReadonlyArray<HourRollup>,
    removed: ReadonlyArray<string>
  ) => Effect.Effect<void, StoreUnavailable>
  // one connection's hours from `from` on, oldest first
  readonly since: (uuid: string, from: number) => Effect.Effect<ReadonlyArray<HourRollup>, StoreUnavailable>
  readonly pruneBefore: (cutoff: number) => Effect.Effect<void, StoreUnavailable>
}

const ROWS_PER_STATEMENT = 200

const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const dialect = yield* Dialect.StoreDialect
  const storeFailure = Dialect.storeFailure(dialect)
  const iso = (millis: number) => DateTime.formatIso(DateTime.unsafeMake(millis))
  const sums = sql.unsafe(
    ["checks", "healthy", "maintenance", ...BUCKET_COLUMNS]
      .map((column) => `${column} = check_rollups.${column} + excluded.${column}`)
      .join(", ")
  )

  const upsert = (hours: ReadonlyArray<HourRollup>) =>
    sql`INSERT INTO check_rollups ${sql.insert(
      hours.map((h) => ({
        connection_uuid: h.connectionUuid,
        hour: iso(h.hour),
        checks: h.checks,
        healthy: h.healthy,
        maintenance: h.maintenance,
        ...Object.fromEntries(BUCKET_COLUMNS.map((column, i) => [column, h.buckets[i] ?? 0]))
      }))
    )} ON CONFLICT (connection_uuid, hour) DO UPDATE SET ${sums}`

  const add = (hours: ReadonlyArray<HourRollup>, removed: ReadonlyArray<string>) =>
    Effect.gen(function* () {
      for (let i = 0; i < removed.length; i += ROWS_PER_STATEMENT) {
        yield* sql`DELETE FROM check_rollups WHERE ${sql.in("connection_uuid", removed.slice(i, i + ROWS_PER_STATEMENT))}`
      }
      for (let i = 0; i < hours.length; i += ROWS_PER_STATEMENT) yield* upsert(hours.slice(i, i + ROWS_PER_STATEMENT))
    }).pipe(dialect.transaction, Effect.catchTag("SqlError", storeFailure))

  const findSince = SqlSchema.findAll({
    Request: Schema.Struct({ uuid: Schema.String, from: Schema.String }),
    Result: Row,
    execute: ({ uuid, from }) =>
      sql`SELECT * FROM check_rollups WHERE connection_uuid = ${uuid} AND hour >= ${from} ORDER BY hour`
  })

  return {
    add,
    since: (uuid, from) => Dialect.readRows(dialect)(findSince({ uuid, from: iso(from) }), toRollup),
    pruneBefore: (cutoff) =>
      dialect
        .bounded(sql`DELETE FROM check_rollups WHERE hour < ${iso(cutoff)}`)
        .pipe(Effect.asVoid, Effect.catchTag("SqlError", storeFailure))
  } satisfies RollupsRepoApi
})

export class RollupsRepo extends Context.Tag("syncwatch/RollupsRepo")<RollupsRepo, RollupsRepoApi>() {
  static readonly Sqlite = Layer.effect(RollupsRepo, make).pipe(Layer.provide(Dialect.StoreDialect.Sqlite))
  static readonly Pg = Layer.effect(RollupsRepo, make).pipe(Layer.provide(Dialect.StoreDialect.Pg))
  static readonly layer = Dialect.chosen(RollupsRepo.Sqlite, RollupsRepo.Pg)
}
