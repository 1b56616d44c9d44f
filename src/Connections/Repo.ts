import * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import type * as Statement from "@effect/sql/Statement"
import { Array as Arr, Context, DateTime, Effect, Layer, Option, Redacted, Schema } from "effect"
import * as Dialect from "../Db/Dialect.js"
import {
  Connection,
  ConnectionStatus,
  ConnectionUuid,
  Direction,
  Metadata,
  NOT_SEVERABLE,
  REVOKED_REASON,
  SEVERED_REASON,
  StatusActor
} from "../Domain/Connection.js"
import { DuplicateConnection, DuplicateToken, type StoreUnavailable } from "../Domain/Errors.js"
import { type After, type CheckOutcome, likePattern, type PageFilter } from "../Domain/Page.js"
import { formatIsoSeconds } from "../Domain/Time.js"
import { mapChunked } from "../LoopTurn.js"

// A connections row as the store holds it. Every read decodes with `fromRow` below: the same checks written
// out, at about half the CPU of Schema's (a status round lists every connection); test/Connections/Repo.test.ts
// proves the two agree on real rows of both stores. A row that fails them is a defect.
export const Row = Schema.Struct({
  uuid: ConnectionUuid,
  name: Schema.String,
  direction: Direction,
  site_url: Schema.String,
  auth_token_hash: Schema.NullOr(Schema.Redacted(Schema.String)),
  status: ConnectionStatus,
  // JSON text in SQLite, an object from PostgreSQL's jsonb
  metadata: Schema.Union(Metadata, Schema.parseJson(Metadata)),
  approved_at: Schema.NullOr(Schema.DateTimeUtc),
  suspended_at: Schema.NullOr(Schema.DateTimeUtc),
  suspended_reason: Schema.NullOr(Schema.String),
  revoked_at: Schema.NullOr(Schema.DateTimeUtc),
  revoked_reason: Schema.NullOr(Schema.String),
  status_changed_by: Schema.NullOr(StatusActor),
  inserted_at: Schema.DateTimeUtc,
  updated_at: Schema.DateTimeUtc
})

const IN_CHUNK = 500

const directions = new Set<unknown>(Direction.literals)
const statuses = new Set<unknown>(ConnectionStatus.literals)
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const text = (value: unknown, column: string): string => {
  if (typeof value !== "string") throw new Error(`connections.${column} is not text`)
  return value
}
const nullableText = (value: unknown, column: string) => (value === null ? null : text(value, column))
const time = (value: unknown, column: string) => DateTime.unsafeMake(text(value, column))
const nullableTime = (value: unknown, column: string) => (value === null ? null : time(value, column))
const actors = new Set<unknown>(StatusActor.literals)
const actor = (value: unknown): StatusActor | null => {
  if (value !== null && !actors.has(value)) throw new Error("connections.status_changed_by: bad enum")
  return value as StatusActor | null
}
export const fromRow = (raw: unknown): Connection => {
  const row = raw as Record<string, unknown>
  const metadata: unknown =
    typeof row["metadata"] === "object" ? row["metadata"] : JSON.parse(text(row["metadata"], "metadata"))
  if (typeof row["uuid"] !== "string" || !uuidPattern.test(row["uuid"]))
    throw new Error("connections.uuid is not a UUID")
  if (!directions.has(row["direction"]) || !statuses.has(row["status"])) throw new Error("connections: bad enum")
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    throw new Error("connections.metadata is not an object")
  }
  const hash = nullableText(row["auth_token_hash"], "auth_token_hash")
  return new Connection(
    {
      uuid: row["uuid"] as ConnectionUuid,
      name: text(row["name"], "name"),
      direction: row["direction"] as Direction,
      siteUrl: text(row["site_url"], "site_url"),
      authTokenHash: hash === null ? null : Redacted.make(hash),
      status: row["status"] as ConnectionStatus,
      metadata: metadata as Metadata,
      approvedAt: nullableTime(row["approved_at"], "approved_at"),
      suspendedAt: nullableTime(row["suspended_at"], "suspended_at"),
      suspendedReason: nullableText(row["suspended_reason"], "suspended_reason"),
      revokedAt: nullableTime(row["revoked_at"], "revoked_at"),
      revokedReason: nullableText(row["revoked_reason"], "revoked_reason"),
      statusChangedBy: actor(row["status_changed_by"]),
      insertedAt: time(row["inserted_at"], "inserted_at"),
      updatedAt: time(row["updated_at"], "updated_at")
    },
    { disableValidation: true }
  )
}
// a whole registry (100,000 rows) decoded a chunk at a time, the event loop free between two
const fromRows = (rows: ReadonlyArray<unknown>) => mapChunked(rows, fromRow)

export interface NewConnection {
  readonly uuid: ConnectionUuid
  readonly name: string
  readonly direction: Direction
  readonly siteUrl: string
  readonly authTokenHash: Redacted.Redacted<string>
  readonly status: ConnectionStatus
  readonly metadata: Metadata
  readonly now: DateTime.Utc
}

export type Found = Effect.Effect<Option.Option<Connection>, StoreUnavailable>

export interface ListFilter {
  readonly direction?: Direction | undefined
  readonly status?: ConnectionStatus | undefined
}

// how many rows hold each direction, status and last check's outcome (not_checked: none stored yet)
export interface Count {
  readonly direction: Direction
  readonly status: ConnectionStatus
  readonly outcome: CheckOutcome
  readonly count: number
}

// The registry's storage. Writes return the row as written, or none when the row is gone or its guard
// refused; a store that cannot serve a read or a write is StoreUnavailable.
export interface Repo {
  readonly insert: (
    input: NewConnection
  ) => Effect.Effect<Connection, DuplicateConnection | DuplicateToken | StoreUnavailable>
  // in insertion order; `limit` rows at most when given
  readonly list: (filter: ListFilter, limit?: number) => Effect.Effect<Array<Connection>, StoreUnavailable>
  // in (name, uuid) order, after the given key
  readonly page: (
    filter: PageFilter,
    after: After | undefined,
    limit: number
  ) => Effect.Effect<Array<Connection>, StoreUnavailable>
  // the rows the filter matches
  readonly count: (filter: PageFilter) => Effect.Effect<number, StoreUnavailable>
  readonly counts: Effect.Effect<Array<Count>, StoreUnavailable>
  readonly findByUuid: (uuid: ConnectionUuid) => Found
  readonly findByUuids: (uuids: ReadonlyArray<ConnectionUuid>) => Effect.Effect<Array<Connection>, StoreUnavailable>
  readonly findSenderByHash: (hash: Redacted.Redacted<string>) => Found
  readonly findBySiteAndHash: (siteUrl: string, hash: Redacted.Redacted<string>) => Found
  readonly findReceiverBySite: (siteUrl: string) => Found
  readonly countPendingReceivers: Effect.Effect<number, StoreUnavailable>
  readonly setAdminStatus: (
    uuid: ConnectionUuid,
    status: ConnectionStatus,
    reason: string | undefined,
    now: DateTime.Utc
  ) => Found
  readonly setStatusIfChanged: (uuid: ConnectionUuid, status: ConnectionStatus, now: DateTime.Utc) => Found
  readonly autoActivate: (uuid: ConnectionUuid, now: DateTime.Utc) => Found
  readonly setRemoteNotification: (uuid: ConnectionUuid, notification: unknown, now: DateTime.Utc) => Found
  readonly rename: (uuid: ConnectionUuid, name: string, now: DateTime.Utc) => Found
  readonly suspendSevered: (uuid: ConnectionUuid, now: DateTime.Utc) => Found
  readonly remove: (uuid: ConnectionUuid) => Found
}

// Every statement is a single SQL statement, atomic on its own; the guards sit in the WHERE clauses.
// The same code on both stores: what differs is in the Dialect.
export const make: Effect.Effect<Repo, never, SqlClient.SqlClient | Dialect.StoreDialect> = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const dialect = yield* Dialect.StoreDialect
  const storeFailure = Dialect.storeFailure(dialect)

  // a read or write the store cannot serve is StoreUnavailable: the caller can say so, and nothing changed;
  // rows that fail to decode or SQL the store refuses are bugs, not something a caller can act on
  const all = (statement: Effect.Effect<ReadonlyArray<unknown>, SqlError.SqlError>) =>
    dialect.bounded(statement).pipe(Effect.catchTag("SqlError", storeFailure), Effect.flatMap(fromRows))
  const first = (statement: Effect.Effect<ReadonlyArray<unknown>, SqlError.SqlError>) =>
    Effect.map(all(statement), (rows) => Option.fromNullable(rows[0]))
  const written = first

  const insert = (
    input: NewConnection
  ): Effect.Effect<Connection, DuplicateConnection | DuplicateToken | StoreUnavailable> => {
    const now = formatIsoSeconds(input.now)
    const insert = sql`INSERT INTO connections ${sql.insert({
      uuid: input.uuid,
      name: input.name,
      direction: input.direction,
      site_url: input.siteUrl,
      auth_token_hash: Redacted.value(input.authTokenHash),
      status: input.status,
      metadata: JSON.stringify(input.metadata),
      inserted_at: now,
      updated_at: now
    })} RETURNING *`
    return dialect.bounded(insert).pipe(
      Effect.flatMap((rows) => Effect.map(fromRows(rows), (connections) => connections[0]!)),
      Effect.catchTags({
        SqlError: (error) =>
          Effect.flatMap(
            dialect.violatedUnique(error),
            (index): Effect.Effect<never, DuplicateConnection | DuplicateToken | StoreUnavailable> => {
              switch (index) {
                case "connections_token_direction_uidx":
                  return Effect.fail(new DuplicateToken({ direction: input.direction }))
                case "connections_site_direction_uidx":
                  return Effect.fail(new DuplicateConnection({ siteUrl: input.siteUrl, direction: input.direction }))
                default:
                  return storeFailure(error)
              }
            }
          )
      })
    )
  }

  const clausesOf = (filter: PageFilter) => {
    const clauses: Array<Statement.Fragment> = []
    if (filter.direction !== undefined) clauses.push(sql`c.direction = ${filter.direction}`)
    if (filter.status !== undefined) clauses.push(sql`c.status = ${filter.status}`)
    if (filter.outcome === "not_checked") clauses.push(sql`r.outcome IS NULL`)
    else if (filter.outcome !== undefined) clauses.push(sql`r.outcome = ${filter.outcome}`)
    if (filter.uuids !== undefined) clauses.push(filter.uuids.length === 0 ? sql`1=0` : sql.in("c.uuid", filter.uuids))
    if (filter.search !== undefined && filter.search !== "") {
      const like = likePattern(filter.search)
      clauses.push(sql`(lower(c.name) LIKE ${like} ESCAPE '\\' OR lower(c.site_url) LIKE ${like} ESCAPE '\\')`)
    }
    return clauses
  }
  // the last check's outcome, joined only when the filter asks for it
  const joined = (filter: PageFilter) =>
    filter.outcome === undefined
      ? sql`connections c`
      : sql`connections c LEFT JOIN check_results r ON r.connection_uuid = c.uuid`

  const list = (filter: ListFilter, limit?: number) =>
    all(sql`SELECT c.* FROM connections c WHERE ${sql.and(clausesOf(filter))} ORDER BY c.inserted_at, c.uuid
    ${limit === undefined ? sql`` : sql`LIMIT ${limit}`}`)

  const page = (filter: PageFilter, after: After | undefined, limit: number) => {
    const clauses = clausesOf(filter)
    if (after !== undefined) clauses.push(sql`(c.name, c.uuid) > (${after.name}, ${after.uuid})`)
    return all(sql`SELECT c.* FROM ${joined(filter)} WHERE ${sql.and(clauses)} ORDER BY c.name, c.uuid
    LIMIT ${limit}`)
  }

  const count = (filter: PageFilter) =>
    dialect
      .bounded(
        sql<{ readonly n: number }>`
        SELECT CAST(count(*) AS INTEGER) AS n FROM ${joined(filter)} WHERE ${sql.and(clausesOf(filter))}`
      )
      .pipe(
        Effect.map((rows) => Number(rows[0]?.n ?? 0)),
        Effect.catchTag("SqlError", storeFailure)
      )

  const counts = dialect
    .bounded(
      sql<{
        readonly direction: Direction
        readonly status: ConnectionStatus
        readonly outcome: CheckOutcome
        n: number
      }>`
      SELECT c.direction AS direction, c.status AS status, COALESCE(r.outcome, 'not_checked') AS outcome,
        CAST(count(*) AS INTEGER) AS n
      FROM connections c LEFT JOIN check_results r ON r.connection_uuid = c.uuid
      GROUP BY c.direction, c.status, COALESCE(r.outcome, 'not_checked')`
    )
    .pipe(
      Effect.map((rows) =>
        rows.map((row) => ({
          direction: row.direction,
          status: row.status,
          outcome: row.outcome,
          count: Number(row.n)
        }))
      ),
      Effect.catchTag("SqlError", storeFailure)
    )

  const findByUuid = (uuid: ConnectionUuid) => first(sql`SELECT * FROM connections WHERE uuid = ${uuid}`)

  // chunked: one statement's bound variables stay far below SQLite's limit whatever the caller's cap
  const findByUuids = (uuids: ReadonlyArray<ConnectionUuid>) =>
    Effect.map(
      Effect.forEach(Arr.chunksOf(uuids, IN_CHUNK), (chunk) =>
        all(sql`SELECT * FROM connections WHERE ${sql.in("uuid", chunk)}`)
      ),
      (chunks) => chunks.flat()
    )

  const findSenderByHash = (hash: Redacted.Redacted<string>) =>
    first(sql`
    SELECT * FROM connections WHERE auth_token_hash = ${Redacted.value(hash)} AND direction = 'sender'`)

  const findBySiteAndHash = (siteUrl: string, hash: Redacted.Redacted<string>) =>
    first(sql`
    SELECT * FROM connections WHERE site_url = ${siteUrl} AND auth_token_hash = ${Redacted.value(hash)}
    ORDER BY inserted_at, uuid LIMIT 1`)

  const countPendingReceivers = dialect
    .bounded(
      sql<{ readonly n: number }>`
      SELECT CAST(count(*) AS INTEGER) AS n FROM connections WHERE direction = 'receiver' AND status = 'pending'`
    )
    .pipe(
      Effect.map((rows) => rows[0]?.n ?? 0),
      Effect.catchTag("SqlError", storeFailure)
    )

  const findReceiverBySite = (siteUrl: string) =>
    first(sql`SELECT * FROM connections WHERE site_url = ${siteUrl} AND direction = 'receiver'`)

  const update = (uuid: ConnectionUuid, set: Statement.Fragment, guard: Statement.Fragment = sql`1=1`) =>
    written(sql`UPDATE connections SET ${set} WHERE uuid = ${uuid} AND ${guard} RETURNING *`)

  // T3/T6, T5, T7 and the bare pending/expired writes of B §1.2; the actor is the admin
  const setAdminStatus = (
    uuid: ConnectionUuid,
    status: ConnectionStatus,
    reason: string | undefined,
    now: DateTime.Utc
  ) => {
    const at = formatIsoSeconds(now)
    switch (status) {
      case "active":
        return update(
          uuid,
          sql`status = 'active', approved_at = COALESCE(approved_at, ${at}), suspended_at = NULL,
          suspended_by_uuid = NULL, suspended_reason = NULL, status_changed_by = 'admin', updated_at = ${at}`
        )
      case "suspended":
        return update(
          uuid,
          sql`status = 'suspended', suspended_at = ${at}, suspended_reason = ${reason ?? null},
          status_changed_by = 'admin', updated_at = ${at}`
        )
      case "revoked":
        return update(
          uuid,
          sql`status = 'revoked', revoked_at = ${at}, revoked_reason = ${reason ?? REVOKED_REASON},
          status_changed_by = 'admin', updated_at = ${at}`
        )
      case "pending":
      case "expired":
        return update(uuid, sql`status = ${status}, status_changed_by = 'admin', updated_at = ${at}`)
    }
  }

  // T8: status only, and no write at all when it is already that value
  const setStatusIfChanged = (uuid: ConnectionUuid, status: ConnectionStatus, now: DateTime.Utc) =>
    update(
      uuid,
      sql`status = ${status}, status_changed_by = 'remote', updated_at = ${formatIsoSeconds(now)}`,
      sql`status <> ${status}`
    )

  // T4: the `pending` guard is re-checked by the write itself
  const autoActivate = (uuid: ConnectionUuid, now: DateTime.Utc) => {
    const at = formatIsoSeconds(now)
    const keys = {
      auto_activated: true,
      auto_activated_at: at,
      auto_activated_reason: "receiver queried connection status"
    }
    return update(
      uuid,
      sql`status = 'active', approved_at = ${at}, metadata = ${dialect.mergeJson("metadata", JSON.stringify(keys))},
      status_changed_by = 'remote', updated_at = ${at}`,
      sql`status = 'pending'`
    )
  }

  // B §7.17 fixed: set inside the metadata as it is now, not as some earlier read saw it
  const setRemoteNotification = (uuid: ConnectionUuid, notification: unknown, now: DateTime.Utc) =>
    update(
      uuid,
      sql`metadata = ${dialect.setJsonKey("metadata", "remote_notification", JSON.stringify(notification))},
      updated_at = ${formatIsoSeconds(now)}`
    )

  const rename = (uuid: ConnectionUuid, name: string, now: DateTime.Utc) =>
    update(uuid, sql`name = ${name}, updated_at = ${formatIsoSeconds(now)}`)

  // A4: gone, suspended, revoked or expired rows are left alone; two concurrent severs write once
  const suspendSevered = (uuid: ConnectionUuid, now: DateTime.Utc) => {
    const at = formatIsoSeconds(now)
    return update(
      uuid,
      sql`status = 'suspended', suspended_at = ${at}, suspended_reason = ${SEVERED_REASON},
      status_changed_by = 'severed', updated_at = ${at}`,
      sql`NOT ${sql.in("status", NOT_SEVERABLE)}`
    )
  }

  // with its last check and its history: nothing of a deleted connection is kept or shown again (the
  // watcher's write-behind drops what it still held of it)
  const remove = (uuid: ConnectionUuid) =>
    written(
      Effect.zipRight(
        Effect.zipRight(
          sql`DELETE FROM status_history WHERE connection_uuid = ${uuid}`,
          sql`DELETE FROM check_results WHERE connection_uuid = ${uuid}`
        ),
        sql`DELETE FROM connections WHERE uuid = ${uuid} RETURNING *`
      ).pipe(dialect.transaction)
    )

  return {
    insert,
    rename,
    list,
    page,
    count,
    counts,
    findByUuid,
    findByUuids,
    findSenderByHash,
    findBySiteAndHash,
    findReceiverBySite,
    countPendingReceivers,
    setAdminStatus,
    setStatusIfChanged,
    autoActivate,
    setRemoteNotification,
    suspendSevered,
    remove
  } as const
})

export class ConnectionsRepo extends Context.Tag("syncwatch/ConnectionsRepo")<ConnectionsRepo, Repo>() {
  static readonly Sqlite = Layer.effect(ConnectionsRepo, make).pipe(Layer.provide(Dialect.StoreDialect.Sqlite))
  static readonly Pg = Layer.effect(ConnectionsRepo, make).pipe(Layer.provide(Dialect.StoreDialect.Pg))
  static readonly layer = Dialect.chosen(ConnectionsRepo.Sqlite, ConnectionsRepo.Pg)
}
