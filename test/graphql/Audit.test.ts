import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { auditServer } from "graphql-http"
import { startSite } from "../utils/App.js"

// graphql-http's audit of the GraphQL over HTTP spec (its MUSTs, SHOULDs and MAYs), against the whole server
// over a real socket. Its documents are not senderStatuses: Streamed.test.ts shows that answer's bytes and
// content type are those of graphql's own execution.
describe("GraphQL over HTTP (graphql-http's audit)", () => {
  it.live("passes every audit", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const results = yield* Effect.promise(() => auditServer({ url: site.graphqlUrl, fetchFn: fetch }))
      assert.isAbove(results.length, 50)
      const failed = results.filter((result) => result.status !== "ok")
      assert.deepStrictEqual(
        failed.map(
          (result) => `${result.status} ${result.id} ${result.name}: ${"reason" in result ? result.reason : ""}`
        ),
        []
      )
    }).pipe(Effect.scoped)
  )
})
