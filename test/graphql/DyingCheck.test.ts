import * as SqlClient from "@effect/sql/SqlClient"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Option } from "effect"
import { createReceiver, createRegisteredSender, graphql, startSite } from "../utils/App.js"
import { sse, within, wsClient, wsSubscribe } from "../utils/Clients.js"
import { peekAt } from "../utils/Db.js"
import * as FakeSite from "../utils/FakeSite.js"
import { STATUS_EVENTS } from "./Documents.js"

// A check that dies (here: the severed rule's write fails in SQLite, a defect) must end what runs it, with
// the defect masked like every other, instead of leaving the caller waiting for a result that never comes.
const severFails = Effect.gen(function* () {
  const site = yield* startSite()
  const gone = yield* FakeSite.make(FakeSite.json(404, { success: false, exists: false }))
  const active = yield* FakeSite.make(FakeSite.json(200, { success: true, status: "active" }))
  yield* createRegisteredSender(site, gone.url)
  yield* createReceiver(site, active.url)
  // a second connection to the same file: from now on, suspending a row fails inside the sever's UPDATE
  yield* Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql.unsafe(`CREATE TRIGGER sever_fails BEFORE UPDATE ON connections WHEN NEW.status = 'suspended'
                BEGIN SELECT RAISE(ABORT, 'secret internals: disk I/O error'); END`)
  ).pipe(Effect.provide(peekAt(site.databaseUrl)), Effect.orDie)
  return site
})

const masked = (errors: ReadonlyArray<{ readonly message: string }> | undefined) => {
  assert.deepStrictEqual(
    errors?.map((error) => error.message),
    ["Unexpected error."]
  )
}

describe("a check that dies", () => {
  it.live("fails verifyReceiverConnections with a masked error", () =>
    Effect.gen(function* () {
      const site = yield* severFails
      const result = yield* graphql(
        site.graphqlUrl,
        "mutation { verifyReceiverConnections { connectionUuid outcome suspended } }"
      ).pipe(within("the mutation's answer", "20 seconds"))
      masked(result.errors)
      assert.notInclude(JSON.stringify(result), "secret internals")
    }).pipe(Effect.scoped)
  )

  it.live("ends an SSE statusEvents subscription with a masked error", () =>
    Effect.gen(function* () {
      const site = yield* severFails
      const events = yield* sse(site.graphqlUrl, STATUS_EVENTS, { every: 1 })
      const ended = yield* Deferred.await(events.ended).pipe(within("the subscription to end", "20 seconds"))
      assert.strictEqual(ended, "complete")
      const results = events.events.filter((event) => event.event === "next").map((event) => JSON.parse(event.data))
      masked(results.at(-1)?.errors)
      assert.notInclude(JSON.stringify(events.events), "secret internals")
      assert.notInclude(
        results.map((result) => result.data?.statusEvents?.__typename),
        "StatusRoundCompleted",
        "the round did not complete as if nothing happened"
      )
    }).pipe(Effect.scoped)
  )

  it.live("ends a graphql-ws statusEvents subscription with a masked error", () =>
    Effect.gen(function* () {
      const site = yield* severFails
      const client = yield* wsClient(site.port)
      const operation = yield* wsSubscribe(client, STATUS_EVENTS, { every: 1 })
      const ended = yield* Deferred.await(operation.done).pipe(
        Effect.exit,
        within("the operation to end", "20 seconds")
      )
      // graphql-ws ends the operation with an error message carrying the masked errors
      assert.strictEqual(ended._tag, "Failure")
      const error = ended._tag === "Failure" ? Cause.failureOption(ended.cause) : Option.none()
      masked(Option.getOrUndefined(error) as ReadonlyArray<{ readonly message: string }> | undefined)
      assert.notInclude(JSON.stringify(ended), "secret internals")
    }).pipe(Effect.scoped)
  )
})
