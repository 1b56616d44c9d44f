import * as SqlClient from "@effect/sql/SqlClient"
import * as SqlSchema from "@effect/sql/SqlSchema"
import { Context, DateTime, Effect, Layer, Schema } from "effect"
import * as Dialect from "../Db/Dialect.js"
import { ConnectionUuid } from "../Domain/Connection.js"
import type { StoreUnavailable } from "../Domain/Errors.js"
import { ReceiverVerification, SenderStatus, SenderStatusFetched, VerificationOutcome } from "../Domain/Events.js"
import { formatIsoMillis } from "../Domain/Time.js"

// a sender's last verification and how many protocol not-founds in a row it has had (SEVER_AFTER)
export interface LastVerification {
  readonly verification: ReceiverVerification
  readonly notFoundCount: number
}

const Row = Schema.Struct({
  connection_uuid: ConnectionUuid,
  kind: Schema.Literal("sender_status", "verification"),
  outcome: Schema.String,
  remote_status: Schema.NullOr(Schema.String),
  reason: Schema.NullOr(Schema.String),
  detail: Schema.NullOr(Schema.String),
  checked_at: Schema.DateTimeUtc,
  duration_ms: Schema.Number,
  not_found_count: Schema.Int
})
export type Row = typeof Row.Type
// a row as it is written: checked_at already ISO-8601 (the results carry epoch milliseconds)
export type StoredRow = Omit<Row, "checked_at"> & { readonly checked_at: string }

const decodeStatus = Schema.decodeUnknownSync(SenderStatusFetched.fields.reason)
const fromRow = (row: Row): SenderStatusFetched | LastVerification =>
  row.kind === "sender_status"
    ? new SenderStatusFetched({
        connectionUuid: row.connection_uuid,
        status: Schema.decodeUnknownSync(SenderStatus)(row.outcome),
        remoteStatus: row.remote_status,
        reason: decodeStatus(row.reason),
        detail: row.detail,
        checkedAt: DateTime.toEpochMillis(row.checked_at),
        durationMs: row.duration_ms
      })
    : {
        verification: new ReceiverVerification({
          connectionUuid: row.connection_uuid,
          outcome: Schema.decodeUnknownSync(VerificationOutcome)(row.outcome),
          suspended: false,
          reason: decodeStatus(row.reason),
          checkedAt: DateTime.toEpochMillis(row.checked_at),
          durationMs: row.duration_ms,
          connection: null
        }),
        notFoundCount: row.not_found_count
      }

export const statusRow = (result: SenderStatusFetched): StoredRow => ({
  connection_uuid: result.connectionUuid,
  kind: "sender_status",
  outcome: result.status,
  remote_status: result.remoteStatus,
  reason: result.reason,
  detail: result.detail,
  checked_at: formatIsoMillis(result.checkedAt),
  duration_ms: result.durationMs,
  not_found_count: 0
})

export const verificationRow = ({ verification, notFoundCount }: LastVerification): StoredRow => ({
  connection_uuid: verification.connectionUuid,
  kind: "verification",
  outcome: verification.outcome,
  remote_status: null,
  reason: verification.reason,
  detail: null,
  checked_at: formatIsoMillis(verification.checkedAt),
  duration_ms: verification.durationMs,
  not_found_count: notFoundCount
})

// A batch's rows in statements of ROWS_PER_STATEMENT, the rest in powers of two (256, 128, … 1): a handful of
// statement texts, each prepared once by the client's cache, instead of a new text, parsed and planned again,
// for every size a batch happens to have
const ROWS_PER_STATEMENT = 500
// the columns of a row as the upsert lists them
const COLUMNS = [
  "connection_uuid",
  "kind",
  "outcome",
  "remote_status",
  "reason",
  "detail",
  "checked_at",
  "duration_ms",
  "not_found_count"
] as const satisfies ReadonlyArray<keyof StoredRow>
export const statementSizes = (rows: number): Array<number> => {
  const sizes: Array<number> = []
  let left = rows
  for (; left >= ROWS_PER_STATEMENT; left -= ROWS_PER_STATEMENT) sizes.push(ROWS_PER_STATEMENT)
  for (let size = 256; size >= 1; size /= 2) {
    if (left >= size) {
      sizes.push(size)
      left -= size
    }
  }
  return sizes
}

const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const dialect = yield* Dialect.StoreDialect
  const storeFailure = Dialect.storeFailure(dialect)

  const findAll = SqlSchema.findAll({
    Request: Schema.Void,
    Result: Row,
    execute: () => sql`SELECT * FROM check_results`
  })

  // a row that no longer decodes (an enum value of an older version) is skipped, not fatal
  const loadAll = dialect.bounded(findAll(undefined)).pipe(
    Effect.map((rows) =>
      rows.flatMap((row) => {
        try {
          return [fromRow(row)]
        } catch {
          return []
        }
      })
    ),
    Effect.catchTags({ SqlError: storeFailure, ParseError: Effect.die })
  )

  // rows as the store keeps them; written in batches (LastKnown's write-behind), never one statement per check.
  // Each statement size's text is made once, and the parameters are laid out row after row: sql.insert compiled
  // the text and an array per row again for every statement (docs/performance.md)
  const texts = new Map<number, string>()
  const placeholder = dialect.name === "pg" ? (i: number) => `$${i + 1}` : () => "?"
  const textOf = (size: number) => {
    let text = texts.get(size)
    if (text === undefined) {
      const values = Array.from(
        { length: size },
        (_, row) => `(${COLUMNS.map((_, column) => placeholder(row * COLUMNS.length + column)).join(", ")})`
      )
      text = `INSERT INTO check_results (${COLUMNS.join(", ")}) VALUES ${values.join(", ")}
      ON CONFLICT (connection_uuid) DO UPDATE SET kind = excluded.kind, outcome = excluded.outcome,
        remote_status = excluded.remote_status, reason = excluded.reason, detail = excluded.detail,
        checked_at = excluded.checked_at, duration_ms = excluded.duration_ms,
        not_found_count = excluded.not_found_count`
      texts.set(size, text)
    }
    return text
  }
  const upsert = (rows: ReadonlyArray<StoredRow>) => {
    const params: Array<string | number | null> = new Array(rows.length * COLUMNS.length)
    let at = 0
    for (const row of rows) {
      for (const column of COLUMNS) params[at++] = row[column]
    }
    return sql.unsafe(textOf(rows.length), params)
  }

  // the latest row of each connection (null: its connection was deleted), in one transaction. Not bounded by
  // DATABASE_TIMEOUT_MS: the write-behind waits for its outcome before it puts the batch back
  const write = (latest: ReadonlyArray<readonly [ConnectionUuid, StoredRow | null]>) =>
    Effect.gen(function* () {
      const rows: Array<StoredRow> = []
      const removed: Array<ConnectionUuid> = []
      for (const [uuid, row] of latest) {
        if (row === null) removed.push(uuid)
        else rows.push(row)
      }
      for (let i = 0; i < removed.length; i += ROWS_PER_STATEMENT) {
        yield* sql`DELETE FROM check_results WHERE ${sql.in("connection_uuid", removed.slice(i, i + ROWS_PER_STATEMENT))}`
      }
      let at = 0
      for (const size of statementSizes(rows.length)) {
        yield* upsert(rows.slice(at, at + size))
        at += size
      }
    }).pipe(dialect.transaction, Effect.catchTag("SqlError", storeFailure))

  return { loadAll, write } satisfies LastKnownRepoApi
})

export interface LastKnownRepoApi {
  readonly loadAll: Effect.Effect<Array<SenderStatusFetched | LastVerification>, StoreUnavailable>
  readonly write: (
    latest: ReadonlyArray<readonly [ConnectionUuid, StoredRow | null]>
  ) => Effect.Effect<void, StoreUnavailable>
}

// rows kept in a Map: the test layer, for a LastKnown without a database
const memory = Effect.sync((): LastKnownRepoApi => {
  const rows = new Map<string, StoredRow>()
  return {
    loadAll: Effect.sync(() =>
      Array.from(rows.values(), (row) => fromRow({ ...row, checked_at: DateTime.unsafeMake(row.checked_at) }))
    ),
    write: (latest) =>
      Effect.sync(() => {
        for (const [uuid, row] of latest) {
          if (row === null) rows.delete(uuid)
          else rows.set(uuid, row)
        }
      })
  }
})

// the same SQL on both stores (ON CONFLICT … excluded is both SQLite's and PostgreSQL's)
export class LastKnownRepo extends Context.Tag("syncwatch/LastKnownRepo")<LastKnownRepo, LastKnownRepoApi>() {
  static readonly Sqlite = Layer.effect(LastKnownRepo, make).pipe(Layer.provide(Dialect.StoreDialect.Sqlite))
  static readonly Pg = Layer.effect(LastKnownRepo, make).pipe(Layer.provide(Dialect.StoreDialect.Pg))
  static readonly layer = Dialect.chosen(LastKnownRepo.Sqlite, LastKnownRepo.Pg)
  static readonly Memory = Layer.effect(LastKnownRepo, memory)
}
