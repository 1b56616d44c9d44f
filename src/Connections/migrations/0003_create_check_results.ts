import * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"

// The last check of each connection and the history of its changes. checked_at keeps milliseconds:
// it is the result's own checkedAt, served again from memory and after a restart.
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE check_results (
      connection_uuid TEXT PRIMARY KEY NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('sender_status', 'verification')),
      outcome TEXT NOT NULL,
      remote_status TEXT,
      reason TEXT,
      detail TEXT,
      checked_at TEXT NOT NULL,
      duration_ms REAL NOT NULL DEFAULT 0,
      not_found_count INTEGER NOT NULL DEFAULT 0 CHECK (not_found_count >= 0)
    ) STRICT`
  yield* sql`
    CREATE TABLE status_history (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      connection_uuid TEXT NOT NULL,
      at TEXT NOT NULL,
      from_state TEXT,
      to_state TEXT NOT NULL,
      reason TEXT
    ) STRICT`
  yield* sql`CREATE INDEX status_history_connection_idx ON status_history (connection_uuid, id)`
  yield* sql`CREATE INDEX status_history_at_idx ON status_history (at)`
})
