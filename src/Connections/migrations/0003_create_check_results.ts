import * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"

// The last check of each connection and the history of its changes. checked_at keeps milliseconds:
// it is the result's own checkedAt, served again from memory and after a restart.
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const pg = sql.onDialectOrElse({ pg: () => true, orElse: () => false })
  const strict = sql.unsafe(pg ? "" : "STRICT")
  const timestamp = sql.unsafe(pg ? `TEXT COLLATE "C"` : "TEXT")
  yield* sql`
    CREATE TABLE check_results (
      connection_uuid TEXT PRIMARY KEY NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('sender_status', 'verification')),
      outcome TEXT NOT NULL,
      remote_status TEXT,
      reason TEXT,
      detail TEXT,
      checked_at ${timestamp} NOT NULL,
      duration_ms ${sql.unsafe(pg ? "DOUBLE PRECISION" : "REAL")} NOT NULL DEFAULT 0,
      not_found_count INTEGER NOT NULL DEFAULT 0 CHECK (not_found_count >= 0)
    ) ${strict}`
  yield* sql`
    CREATE TABLE status_history (
      id ${sql.unsafe(pg ? "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT")},
      connection_uuid TEXT NOT NULL,
      at ${timestamp} NOT NULL,
      from_state TEXT,
      to_state TEXT NOT NULL,
      reason TEXT
    ) ${strict}`
  yield* sql`CREATE INDEX status_history_connection_idx ON status_history (connection_uuid, id)`
  yield* sql`CREATE INDEX status_history_at_idx ON status_history (at)`
})
