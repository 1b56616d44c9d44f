import * as HttpLayerRouter from "@effect/platform/HttpLayerRouter"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import { Context, DateTime, Duration, Effect, Layer } from "effect"
import { databaseTimeout, StoreKind } from "./Db/Target.js"

const because = (what: string) => (error: SqlError.SqlError) => {
  const cause = error.cause as { readonly code?: unknown; readonly message?: unknown } | undefined
  return `${what}: ${cause?.message === undefined ? error.message : `${String(cause.code)} ${String(cause.message)}`}`
}

// healthy = the connections table can be read, and a write is taken: the heartbeat row is overwritten (a
// read-only file passes `SELECT 1`, a full disk passes a write that changes nothing; both fail real writes)
export const check = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const at = DateTime.formatIso(yield* DateTime.now)
  yield* sql`SELECT 1 FROM connections LIMIT 1`.pipe(Effect.mapError(because("the connections table cannot be read")))
  yield* sql`INSERT INTO health_heartbeat (id, at) VALUES (1, ${at})
    ON CONFLICT (id) DO UPDATE SET at = excluded.at`.pipe(Effect.mapError(because("the database refuses writes")))
})

// what else makes this instance unhealthy, found at start (in a cluster: a runner address the others cannot reach)
export class Problems extends Context.Reference<Problems>()("syncwatch/Health/Problems", {
  defaultValue: (): ReadonlyArray<string> => []
}) {}

const OK = HttpServerResponse.unsafeJson({ status: "ok" })
// the body says ok or unavailable and nothing more (it is open to anyone); the reason goes to the log
const UNAVAILABLE = HttpServerResponse.unsafeJson({ status: "unavailable" }, { status: 503 })

// a database that does not answer is unhealthy after DATABASE_TIMEOUT_MS, not a hanging probe. SQLite answers
// synchronously, in this thread, so no timer could fire before it does: there the probe is the check alone (a
// timer and a fiber per probe were most of its cost). A load balancer probes every few seconds: a reason is
// logged when it starts (or changes), and the recovery once.
export const RouteLive = Layer.unwrapEffect(
  Effect.map(Effect.all([databaseTimeout, StoreKind, Problems]), ([timeout, kind, problems]) => {
    let told: string | undefined
    const unavailable = (reason: string, log: Effect.Effect<void>) =>
      Effect.suspend(() => {
        const first = told !== reason
        told = reason
        return Effect.as(first ? log : Effect.void, UNAVAILABLE)
      })
    return HttpLayerRouter.add(
      "GET",
      "/health",
      (problems.length > 0
        ? Effect.fail(problems.join("; "))
        : kind === "sqlite"
          ? check
          : Effect.disconnect(check).pipe(
              Effect.timeoutFail({
                duration: timeout,
                onTimeout: () => `the database did not answer within ${Duration.format(timeout)}`
              })
            )
      ).pipe(
        Effect.zipRight(
          Effect.suspend(() => {
            if (told === undefined) return Effect.succeed(OK)
            told = undefined
            return Effect.as(Effect.logInfo("Health: the database answers again"), OK)
          })
        ),
        Effect.catchAll((reason) => unavailable(reason, Effect.logError(`Health: unavailable: ${reason}`))),
        Effect.catchAllDefect((defect) =>
          unavailable("a defect", Effect.logError("Health: unavailable: the probe failed", defect))
        )
      )
    )
  })
)
