import * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"

// Timestamps are ISO-8601 text in whole seconds with a `Z` (B §1.1), so they sort as text.
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE connections (
      uuid TEXT PRIMARY KEY NOT NULL,
      name TEXT NOT NULL CHECK (length(trim(name)) > 0),
      direction TEXT NOT NULL CHECK (direction IN ('sender', 'receiver')),
      site_url TEXT NOT NULL,
      auth_token_hash TEXT,
      status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'active', 'suspended', 'revoked', 'expired')),
      metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
      approved_at TEXT,
      suspended_at TEXT,
      suspended_reason TEXT,
      suspended_by_uuid TEXT,
      revoked_at TEXT,
      revoked_reason TEXT,
      inserted_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT`
  yield* sql`CREATE UNIQUE INDEX connections_site_direction_uidx ON connections (site_url, direction)`
  // B §7.21: refusing duplicates at write time keeps every hash lookup to at most one row per direction
  yield* sql`
    CREATE UNIQUE INDEX connections_token_direction_uidx ON connections (auth_token_hash, direction)
    WHERE auth_token_hash IS NOT NULL`
  yield* sql`CREATE INDEX connections_auth_token_hash_idx ON connections (auth_token_hash)`
})
