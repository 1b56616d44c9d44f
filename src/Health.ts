import type { ServerResponse } from "node:http"
import * as HttpLayerRouter from "@effect/platform/HttpLayerRouter"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import { Context, DateTime, Duration, Effect, Exit, Layer, Option, Runtime } from "effect"
import { databaseTimeout, StoreKind } from "./Db/Target.js"
import * as Tracing from "./Tracing.js"

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

// the body says ok or unavailable and nothing more (it is open to anyone); the reason goes to the log
const OK_BODY = JSON.stringify({ status: "ok" })
const UNAVAILABLE_BODY = JSON.stringify({ status: "unavailable" })
const OK = HttpServerResponse.text(OK_BODY, { contentType: "application/json" })
const UNAVAILABLE = HttpServerResponse.text(UNAVAILABLE_BODY, { contentType: "application/json", status: 503 })

// GET /health answered in the Node server's own `request` event, before the platform's request handling (a quarter
// of a cold probe's CPU, docs/performance.md): the same probe, the same answers. Each server
// (Server.ts) provides its slot; the route fills it once the app is up, unless spans are exported (the
// platform's server span stays the probe's)
export interface FastProbe {
  answer: ((response: ServerResponse) => void) | undefined
}
export class FastProbeSlot extends Context.Tag("syncwatch/Health/FastProbeSlot")<FastProbeSlot, FastProbe>() {}

// the route's own answer, written as the Node response: its status, and the body it was made from
const answer = (response: ServerResponse, exit: Exit.Exit<HttpServerResponse.HttpServerResponse>) => {
  const ok = Exit.isSuccess(exit) && exit.value === OK
  const body = ok ? OK_BODY : UNAVAILABLE_BODY
  response
    .writeHead((ok ? OK : UNAVAILABLE).status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body)
    })
    .end(body)
}

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
    const probe = (
      problems.length > 0
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
    const fast = Layer.scopedDiscard(
      Effect.gen(function* () {
        const slot = yield* Effect.serviceOption(FastProbeSlot)
        if (Option.isNone(slot) || (yield* Tracing.Enabled)) return
        const run = Runtime.runCallback(yield* Effect.runtime<SqlClient.SqlClient>())
        slot.value.answer = (response) => run(probe, { onExit: (exit) => answer(response, exit) })
        yield* Effect.addFinalizer(() =>
          Effect.sync(() => {
            slot.value.answer = undefined
          })
        )
      })
    )
    return Layer.merge(HttpLayerRouter.add("GET", "/health", probe), fast)
  })
)
