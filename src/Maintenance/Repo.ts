import * as SqlClient from "@effect/sql/SqlClient"
import * as SqlSchema from "@effect/sql/SqlSchema"
import { Context, DateTime, Effect, Layer, Schema } from "effect"
import * as Dialect from "../Db/Dialect.js"
import { ConnectionUuid } from "../Domain/Connection.js"
import type { StoreUnavailable } from "../Domain/Errors.js"
import { Maintenance } from "../Domain/Maintenance.js"

const Row = Schema.Struct({
  id: Schema.String,
  site_url: Schema.NullOr(Schema.String),
  connection_uuids: Schema.parseJson(Schema.Array(ConnectionUuid)),
  starts_at: Schema.DateTimeUtc,
  ends_at: Schema.DateTimeUtc,
  reason: Schema.NullOr(Schema.String),
  created_at: Schema.DateTimeUtc
})

const toMaintenance = (row: typeof Row.Type) =>
  new Maintenance({
    id: row.id,
    siteUrl: row.site_url,
    connectionUuids: row.connection_uuids,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    reason: row.reason,
    createdAt: row.created_at
  })

export interface MaintenanceRepoApi {
  readonly insert: (maintenance: Maintenance) => Effect.Effect<void, StoreUnavailable>
  // the window's end moved to `endsAt`; none when there is no such window
  readonly end: (id: string, endsAt: DateTime.Utc) => Effect.Effect<ReadonlyArray<Maintenance>, StoreUnavailable>
  // every window, newest first, or those not yet over at `after`
  readonly list: (after?: DateTime.Utc) => Effect.Effect<ReadonlyArray<Maintenance>, StoreUnavailable>
}

const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const dialect = yield* Dialect.StoreDialect
  const storeFailure = Dialect.storeFailure(dialect)
  const rows = Dialect.readRows(dialect)
  const iso = DateTime.formatIso

  const findAll = SqlSchema.findAll({
    Request: Schema.NullOr(Schema.String),
    Result: Row,
    execute: (after) =>
      after === null
        ? sql`SELECT * FROM maintenances ORDER BY created_at DESC, id DESC`
        : sql`SELECT * FROM maintenances WHERE ends_at > ${after} ORDER BY created_at DESC, id DESC`
  })
  const ended = SqlSchema.findAll({
    Request: Schema.Struct({ id: Schema.String, endsAt: Schema.String }),
    Result: Row,
    execute: ({ id, endsAt }) =>
      sql`UPDATE maintenances SET ends_at = CASE WHEN ends_at < ${endsAt} THEN ends_at
            WHEN starts_at > ${endsAt} THEN starts_at ELSE ${endsAt} END
          WHERE id = ${id} RETURNING *`
  })

  const insert = (m: Maintenance) =>
    dialect
      .bounded(
        sql`INSERT INTO maintenances ${sql.insert({
          id: m.id,
          site_url: m.siteUrl,
          connection_uuids: JSON.stringify(m.connectionUuids),
          starts_at: iso(m.startsAt),
          ends_at: iso(m.endsAt),
          reason: m.reason,
          created_at: iso(m.createdAt)
        })}`
      )
      .pipe(Effect.asVoid, Effect.catchTag("SqlError", storeFailure))

  return {
    insert,
    end: (id, endsAt) => rows(ended({ id, endsAt: iso(endsAt) }), toMaintenance),
    list: (after) => rows(findAll(after === undefined ? null : iso(after)), toMaintenance)
  } satisfies MaintenanceRepoApi
})

export class MaintenanceRepo extends Context.Tag("syncwatch/MaintenanceRepo")<MaintenanceRepo, MaintenanceRepoApi>() {
  static readonly Sqlite = Layer.effect(MaintenanceRepo, make).pipe(Layer.provide(Dialect.StoreDialect.Sqlite))
  static readonly Pg = Layer.effect(MaintenanceRepo, make).pipe(Layer.provide(Dialect.StoreDialect.Pg))
  static readonly layer = Dialect.chosen(MaintenanceRepo.Sqlite, MaintenanceRepo.Pg)
}
