import * as SqlClient from "@effect/sql/SqlClient"
import * as SqlError from "@effect/sql/SqlError"
import type * as Statement from "@effect/sql/Statement"
import { Context, Duration, Effect, Layer, type ParseResult } from "effect"
import { StoreUnavailable } from "../Domain/Errors.js"
import { databaseTimeout, StoreKind } from "./Target.js"

// What the repositories write differently on SQLite and on PostgreSQL; everything else is shared SQL.
export interface Dialect {
  readonly name: "sqlite" | "pg"
  // the unique index (SQLite) or constraint (PostgreSQL) a write ran into, if that is what failed
  readonly violatedUnique: (error: SqlError.SqlError) => Effect.Effect<string | undefined>
  // why the store, not the statement, is at fault (unreachable, read-only, full…); undefined for a bug
  readonly unavailable: (error: SqlError.SqlError) => string | undefined
  // the object's keys set on top of the JSON object in `column`
  readonly mergeJson: (column: string, object: string) => Statement.Fragment
  // one key of the JSON object in `column` set to a JSON value
  readonly setJsonKey: (column: string, key: string, value: string) => Statement.Fragment
  // sql.withTransaction, except that a COMMIT or ROLLBACK the store refuses is a failure, not a defect
  readonly transaction: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | SqlError.SqlError, R>
  // a statement that takes longer than DATABASE_TIMEOUT_MS counts as the store being unavailable
  readonly bounded: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | StoreUnavailable, R>
}

// @effect/sql dies when COMMIT or ROLLBACK fails (Effect.orDie): on SQLite a full disk is found at COMMIT,
// when the WAL grows; on PostgreSQL a connection can be lost there. Both are the store's, for storeFailure.
const transactionOf =
  (sql: SqlClient.SqlClient) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | SqlError.SqlError, R> =>
    sql
      .withTransaction(effect)
      .pipe(
        Effect.catchAllDefect((defect) =>
          defect instanceof SqlError.SqlError ? Effect.fail(defect) : Effect.die(defect)
        )
      )

type Cause = { readonly code?: unknown; readonly message?: unknown; readonly constraint?: unknown }
const causeOf = (error: SqlError.SqlError) => (error.cause ?? {}) as Cause

// SQLite's word that the store, not the statement, is at fault: read-only file, full disk, I/O, lock, damage
const SQLITE_UNAVAILABLE = /^SQLITE_(READONLY|FULL|IOERR|CANTOPEN|BUSY|LOCKED|CORRUPT|NOTADB|PERM)/

export const sqliteUnavailable = (error: SqlError.SqlError): string | undefined => {
  const cause = causeOf(error)
  return typeof cause.code === "string" && SQLITE_UNAVAILABLE.test(cause.code)
    ? `${cause.code}: ${String(cause.message)}`
    : undefined
}

// SQLite names the columns of the violated index ("UNIQUE constraint failed: t.a, t.b"), not the index:
// the index is found by those columns among the table's unique indexes
export const sqlite = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const indexOf = (table: string, columns: ReadonlyArray<string>) =>
    sql<{ readonly name: string; readonly columns: string }>`
      SELECT il.name AS name, group_concat(ii.name, ',') AS columns
      FROM pragma_index_list(${table}) AS il JOIN pragma_index_info(il.name) AS ii
      WHERE il."unique" = 1 GROUP BY il.name`.pipe(
      Effect.map((rows) => {
        const wanted = [...columns].sort().join(",")
        return rows.find((row) => row.columns.split(",").sort().join(",") === wanted)?.name
      }),
      Effect.orElseSucceed(() => undefined)
    )
  const dialect: Dialect = {
    name: "sqlite",
    violatedUnique: (error) => {
      const cause = causeOf(error)
      if (cause.code !== "SQLITE_CONSTRAINT_UNIQUE") return Effect.succeed(undefined)
      const columns = String(cause.message)
        .replace(/^.*failed: /, "")
        .split(", ")
      const table = columns[0]?.split(".")[0] ?? ""
      return indexOf(
        table,
        columns.map((column) => column.slice(table.length + 1))
      )
    },
    unavailable: sqliteUnavailable,
    mergeJson: (column, object) => sql`json_patch(${sql(column)}, ${object})`,
    setJsonKey: (column, key, value) => sql`json_set(${sql(column)}, ${`$.${key}`}, json(${value}))`,
    transaction: transactionOf(sql),
    // better-sqlite3 answers synchronously: there is nothing to wait for
    bounded: (effect) => effect
  }
  return dialect
})

// SQLSTATE classes of a server that cannot serve now: 08 connection, 53 resources, 57P0x shutdown/starting,
// 25006 read-only transaction, 3D000 the database is gone
const PG_UNAVAILABLE = /^(08|53|57P0|25006|3D000)/
// @effect/sql-pg's own words for a failure to get or keep a connection
const NO_CONNECTION = new Set([
  "Failed to acquire connection",
  "Failed to acquire connection for transaction",
  "Connection error"
])
// errors of the socket itself (refused, reset, unreachable, name lookup)
const NETWORK = /^(E[A-Z]+)$/

// No connection to be had (whatever the server said: gone, refusing, not accepting this database) or one
// lost; a SQLSTATE outside those classes is the statement's fault (a bug); an error without one comes from
// the driver's connection (terminated, not queryable, timed out)
export const pgUnavailable = (error: SqlError.SqlError): string | undefined => {
  const cause = causeOf(error)
  const code = typeof cause.code === "string" ? cause.code : undefined
  if (NO_CONNECTION.has(error.message) || code === undefined || PG_UNAVAILABLE.test(code) || NETWORK.test(code)) {
    return `${code ?? error.message}: ${String(cause.message ?? error.message)}`
  }
  return undefined
}

export const pg = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const timeout = yield* databaseTimeout
  const dialect: Dialect = {
    name: "pg",
    violatedUnique: (error) => {
      const cause = causeOf(error)
      return Effect.succeed(
        cause.code === "23505" && typeof cause.constraint === "string" ? cause.constraint : undefined
      )
    },
    unavailable: pgUnavailable,
    mergeJson: (column, object) => sql`${sql(column)} || ${object}::jsonb`,
    setJsonKey: (column, key, value) => sql`jsonb_set(${sql(column)}, ${`{${key}}`}, ${value}::jsonb)`,
    transaction: transactionOf(sql),
    // the driver's own wait is left to finish in the background; the caller gets its answer on time
    bounded: (effect) =>
      Effect.timeoutFail(Effect.disconnect(effect), {
        duration: timeout,
        onTimeout: () =>
          new StoreUnavailable({ reason: `the database did not answer within ${Duration.format(timeout)}` })
      })
  }
  return dialect
})

// a failed statement: StoreUnavailable when the store is at fault, else a defect (a bug, not the caller's)
export const storeFailure =
  (dialect: Dialect) =>
  (error: SqlError.SqlError): Effect.Effect<never, StoreUnavailable> => {
    const reason = dialect.unavailable(error)
    return reason === undefined ? Effect.die(error) : Effect.fail(new StoreUnavailable({ reason }))
  }

// rows read within DATABASE_TIMEOUT_MS, each built by `to`: the store's fault is StoreUnavailable, a row that
// does not decode is a defect
export const readRows =
  (dialect: Dialect) =>
  <Row, A, R>(
    query: Effect.Effect<ReadonlyArray<Row>, SqlError.SqlError | ParseResult.ParseError, R>,
    to: (row: Row) => A
  ): Effect.Effect<Array<A>, StoreUnavailable, R> =>
    dialect.bounded(query).pipe(
      Effect.map((rows) => rows.map(to)),
      Effect.catchTags({ SqlError: storeFailure(dialect), ParseError: Effect.die })
    )

// a repository's layer for the store DATABASE_URL chose, out of its SQLite and PostgreSQL layers
export const chosen = <A, E, R>(sqlite: Layer.Layer<A, E, R>, pg: Layer.Layer<A, E, R>) =>
  Layer.unwrapEffect(Effect.map(StoreKind, (kind) => (kind === "pg" ? pg : sqlite)))

// the dialect as a service, for a repository that asks for it in its constructor
export class StoreDialect extends Context.Tag("syncwatch/StoreDialect")<StoreDialect, Dialect>() {
  static readonly Sqlite = Layer.effect(StoreDialect, sqlite)
  static readonly Pg = Layer.effect(StoreDialect, pg)
}
