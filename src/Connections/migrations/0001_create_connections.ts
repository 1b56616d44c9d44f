import * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"

// Timestamps are ISO-8601 text in whole seconds with a `Z` (B §1.1), so they sort as text (in PostgreSQL
// with the "C" collation, whatever the database's). Unique indexes are named: a violation is mapped by name.
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const pg = sql.onDialectOrElse({ pg: () => true, orElse: () => false })
  const sorted = sql.unsafe(pg ? `TEXT COLLATE "C"` : "TEXT")
  const metadata = sql.unsafe(
    pg
      ? `JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object')`
      : `TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND json_type(metadata) = 'object')`
  )
  yield* sql`
    CREATE TABLE connections (
      uuid ${sorted} PRIMARY KEY NOT NULL,
      name TEXT NOT NULL CHECK (length(trim(name)) > 0),
      direction TEXT NOT NULL CHECK (direction IN ('sender', 'receiver')),
      site_url TEXT NOT NULL,
      auth_token_hash TEXT,
      status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'active', 'suspended', 'revoked', 'expired')),
      metadata ${metadata},
      approved_at ${sorted},
      suspended_at ${sorted},
      suspended_reason TEXT,
      suspended_by_uuid TEXT,
      revoked_at ${sorted},
      revoked_reason TEXT,
      inserted_at ${sorted} NOT NULL,
      updated_at ${sorted} NOT NULL
    ) ${sql.unsafe(pg ? "" : "STRICT")}`
  yield* sql`CREATE UNIQUE INDEX connections_site_direction_uidx ON connections (site_url, direction)`
  // B §7.21: refusing duplicates at write time keeps every hash lookup to at most one row per direction
  yield* sql`
    CREATE UNIQUE INDEX connections_token_direction_uidx ON connections (auth_token_hash, direction)
    WHERE auth_token_hash IS NOT NULL`
  yield* sql`CREATE INDEX connections_auth_token_hash_idx ON connections (auth_token_hash)`
})
