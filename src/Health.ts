import * as HttpLayerRouter from "@effect/platform/HttpLayerRouter"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import { Effect } from "effect"

const because = (what: string) => (error: SqlError.SqlError) => {
  const cause = error.cause as { readonly code?: unknown; readonly message?: unknown } | undefined
  return `${what}: ${cause?.message === undefined ? error.message : `${String(cause.code)} ${String(cause.message)}`}`
}

// healthy = the connections table can be read, and a write that changes nothing is accepted
// (a read-only file passes `SELECT 1` and then fails every write)
export const check = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`SELECT 1 FROM connections LIMIT 1`.pipe(Effect.mapError(because("the connections table cannot be read")))
  yield* sql`DELETE FROM connections WHERE 1 = 0`.pipe(Effect.mapError(because("the database refuses writes")))
})

export const RouteLive = HttpLayerRouter.add(
  "GET",
  "/health",
  check.pipe(
    Effect.zipRight(HttpServerResponse.json({ status: "ok" })),
    Effect.catchAll((reason) => HttpServerResponse.json({ status: "unavailable", reason }, { status: 503 })),
    Effect.catchAllDefect(() => HttpServerResponse.json({ status: "unavailable" }, { status: 503 }))
  )
)
