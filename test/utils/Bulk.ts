import { SqlClient } from "@effect/sql"
import { Array as Arr, Effect } from "effect"

// Many connections written straight to the store, 500 rows a statement in one transaction (100,000 in a few
// seconds): for the tests and benches that need a large registry, not for what creating one does.
export interface Bulk {
  readonly count: number
  readonly direction: "sender" | "receiver"
  readonly status: "pending" | "active"
  // the site URL of row i (a receiver's remote sender)
  readonly siteUrl: (i: number) => string
}

// row i: name c000000…, uuid 01900000-0000-7000-8000-{i}, in both orders the same
export const bulkName = (i: number) => `c${String(i).padStart(6, "0")}`
export const bulkUuid = (i: number) => `01900000-0000-7000-8000-${String(i).padStart(12, "0")}`

export const fill = (bulk: Bulk) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = Array.from({ length: bulk.count }, (_, i) => ({
      uuid: bulkUuid(i),
      name: bulkName(i),
      direction: bulk.direction,
      site_url: bulk.siteUrl(i),
      auth_token_hash: String(i).padStart(64, "0"),
      status: bulk.status,
      metadata: "{}",
      inserted_at: "2026-11-26T00:00:00Z",
      updated_at: "2026-11-26T00:00:00Z"
    }))
    yield* sql.withTransaction(
      Effect.forEach(Arr.chunksOf(rows, 500), (chunk) => sql`INSERT INTO connections ${sql.insert(chunk)}`, {
        discard: true
      })
    )
  })
