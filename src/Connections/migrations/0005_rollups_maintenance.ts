import * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"
import { BUCKETS } from "../../Domain/Uptime.js"

// Issue 21: hourly check rollups (uptime, response-time buckets b0…b11 of Domain/Uptime.ts), kept
// ROLLUP_RETENTION_DAYS, and maintenance windows. Rollups are added to (ON CONFLICT … + excluded), so the
// instances sharing one PostgreSQL store each add their own checks.
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const pg = sql.onDialectOrElse({ pg: () => true, orElse: () => false })
  const strict = sql.unsafe(pg ? "" : "STRICT")
  const timestamp = sql.unsafe(pg ? `TEXT COLLATE "C"` : "TEXT")
  const buckets = sql.unsafe(
    Array.from({ length: BUCKETS }, (_, i) => `b${i} INTEGER NOT NULL DEFAULT 0 CHECK (b${i} >= 0)`).join(",\n      ")
  )
  yield* sql`
    CREATE TABLE check_rollups (
      connection_uuid TEXT NOT NULL,
      hour ${timestamp} NOT NULL,
      checks INTEGER NOT NULL CHECK (checks >= 0),
      healthy INTEGER NOT NULL CHECK (healthy >= 0 AND healthy <= checks),
      maintenance INTEGER NOT NULL CHECK (maintenance >= 0),
      ${buckets},
      PRIMARY KEY (connection_uuid, hour)
    ) ${strict}`
  yield* sql`CREATE INDEX check_rollups_hour_idx ON check_rollups (hour)`
  yield* sql`
    CREATE TABLE maintenances (
      id TEXT PRIMARY KEY NOT NULL,
      site_url TEXT,
      connection_uuids TEXT NOT NULL,
      starts_at ${timestamp} NOT NULL,
      ends_at ${timestamp} NOT NULL,
      reason TEXT,
      created_at ${timestamp} NOT NULL,
      CHECK (ends_at >= starts_at)
    ) ${strict}`
  yield* sql`CREATE INDEX maintenances_ends_at_idx ON maintenances (ends_at)`
})
