import * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"

// /health proves that the store takes a write by writing: one row, overwritten by every probe, so the table
// never grows. A write that changes nothing (DELETE … WHERE 1 = 0) passes on a full disk.
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const pg = sql.onDialectOrElse({ pg: () => true, orElse: () => false })
  yield* sql`
    CREATE TABLE health_heartbeat (
      id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
      at ${sql.unsafe(pg ? `TEXT COLLATE "C"` : "TEXT")} NOT NULL
    ) ${sql.unsafe(pg ? "" : "STRICT")}`
})
