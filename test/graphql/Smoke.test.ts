import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { graphql, startSite } from "../utils/App.js"

describe("smoke", () => {
  it.live("serves graphql", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const result = yield* graphql(site.graphqlUrl, "{ connections { uuid } }")
      assert.deepStrictEqual(result.data, { connections: [] })
    }).pipe(Effect.scoped)
  )
})
