import * as HttpLayerRouter from "@effect/platform/HttpLayerRouter"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import { Duration, Effect, Layer } from "effect"
import { databaseTimeout } from "./Db.js"

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

// a database that does not answer is unhealthy after DATABASE_TIMEOUT_MS, not a hanging probe
export const RouteLive = Layer.unwrapEffect(
  Effect.map(databaseTimeout, (timeout) =>
    HttpLayerRouter.add(
      "GET",
      "/health",
      Effect.disconnect(check).pipe(
        Effect.timeoutFail({
          duration: timeout,
          onTimeout: () => `the database did not answer within ${Duration.format(timeout)}`
        }),
        Effect.zipRight(HttpServerResponse.json({ status: "ok" })),
        Effect.catchAll((reason) => HttpServerResponse.json({ status: "unavailable", reason }, { status: 503 })),
        Effect.catchAllDefect(() => HttpServerResponse.json({ status: "unavailable" }, { status: 503 }))
      )
    )
  )
)
