import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { graphql, startSite } from "../utils/App.js"
import { captureLogs, logfmt } from "../utils/Logs.js"

// 20,000 fragments, each spreading the next: graphql-js overflows its stack validating it, inside yoga
// and outside any resolver of ours
const nestedFragments = (depth: number) => {
  const fragments = Array.from({ length: depth }, (_, i) =>
    i === depth - 1 ? `fragment F${i} on Query { connections { uuid } }` : `fragment F${i} on Query { ...F${i + 1} }`
  )
  return `{ ...F0 }\n${fragments.join("\n")}`
}

describe("masked errors", () => {
  it.live(
    "an error inside yoga, outside our resolvers, is masked for the client and logged once with its cause",
    () => {
      const { lines, layer: capture } = captureLogs(logfmt)
      return Effect.gen(function* () {
        // the query limits would refuse it first, with a typed error (test/graphql/Limits.test.ts)
        const site = yield* startSite({ GRAPHQL_MAX_TOKENS: "10000000", GRAPHQL_MAX_DEPTH: "100000" })
        const result = yield* graphql(site.graphqlUrl, nestedFragments(20_000))
        assert.strictEqual(result.errors?.[0]?.message, "Unexpected error.", JSON.stringify(result).slice(0, 300))
        const logged = lines.filter((line) => line.includes("GraphQL error masked"))
        assert.lengthOf(logged, 1)
        assert.include(logged[0], "RangeError")
      }).pipe(Effect.scoped, Effect.provide(capture))
    }
  )
})
