import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { createReceiver, graphql, type RunningSite, startSite } from "../utils/App.js"

// Query.connectionPage, Query.connectionCounts and the bounded list form over HTTP: each bad argument gets its
// typed code, and nothing of a refused query is answered.

const PAGE = `query ($first: Int, $after: String, $filter: ConnectionFilter) {
  connectionPage(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { name } }
  }
}`

interface Page {
  readonly totalCount: number
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null }
  readonly edges: ReadonlyArray<{ readonly cursor: string; readonly node: { readonly name: string } }>
}

const page = (site: RunningSite, variables: Record<string, unknown>) =>
  Effect.map(graphql(site.graphqlUrl, PAGE, variables), (result) => {
    if (result.errors !== undefined) throw new Error(JSON.stringify(result.errors))
    return result.data?.["connectionPage"] as Page
  })

const refusal = (site: RunningSite, query: string, variables: Record<string, unknown> = {}) =>
  Effect.map(graphql(site.graphqlUrl, query, variables), (result) => {
    assert.isTrue(result.data == null || result.data["connectionPage"] == null, JSON.stringify(result.data))
    assert.lengthOf(result.errors ?? [], 1)
    const [error] = result.errors!
    return { code: error!.extensions?.code, field: (error!.extensions as { field?: string } | undefined)?.field }
  })

describe("connectionPage over HTTP", () => {
  it.live("reads every connection once by endCursor, with the filter's total and the registry's counts", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ MAX_LIST: "4" })
      for (const name of ["echo", "delta", "charlie", "bravo", "alpha"]) {
        yield* createReceiver(site, `http://127.0.0.1:9/${name}`, name)
      }
      const names: Array<string> = []
      let after: string | null = null
      for (let pages = 1; ; pages += 1) {
        const read: Page = yield* page(site, { first: 2, after })
        assert.strictEqual(read.totalCount, 5)
        names.push(...read.edges.map((edge) => edge.node.name))
        assert.strictEqual(read.pageInfo.endCursor, read.edges.at(-1)?.cursor ?? null)
        after = read.pageInfo.endCursor
        if (!read.pageInfo.hasNextPage) {
          assert.strictEqual(pages, 3)
          break
        }
      }
      assert.deepStrictEqual(names, ["alpha", "bravo", "charlie", "delta", "echo"])
      const found = yield* page(site, { filter: { search: "HARL", direction: "RECEIVER", outcome: "NOT_CHECKED" } })
      assert.deepStrictEqual(
        found.edges.map((edge) => edge.node.name),
        ["charlie"]
      )
      assert.strictEqual(found.totalCount, 1)
      assert.strictEqual((yield* page(site, { filter: { direction: "SENDER" } })).totalCount, 0)

      const counts = yield* graphql(site.graphqlUrl, "{ connectionCounts { direction status outcome count } }")
      assert.deepStrictEqual(counts.data?.["connectionCounts"], [
        { direction: "RECEIVER", status: "ACTIVE", outcome: "NOT_CHECKED", count: 5 }
      ])

      // the list form past MAX_LIST (4)
      assert.deepStrictEqual(yield* refusal(site, "{ connections { uuid } }"), {
        code: "ListTooLong",
        field: undefined
      })
    }).pipe(Effect.scoped)
  )

  it.live("refuses first past 500, a malformed cursor and an unknown enum, each with its code", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      yield* createReceiver(site, "http://127.0.0.1:9/a", "a")
      assert.deepStrictEqual(yield* refusal(site, PAGE, { first: 501 }), { code: "InvalidInput", field: "first" })
      assert.deepStrictEqual(yield* refusal(site, "{ connectionPage(first: 0) { totalCount } }"), {
        code: "InvalidInput",
        field: "first"
      })
      assert.deepStrictEqual(yield* refusal(site, PAGE, { after: "not a cursor" }), {
        code: "InvalidInput",
        field: "after"
      })
      // a literal enum the schema lacks fails validation; the same through a variable, its coercion
      assert.deepStrictEqual(yield* refusal(site, "{ connectionPage(filter: { outcome: HEALTHY }) { totalCount } }"), {
        code: "GRAPHQL_VALIDATION_FAILED",
        field: undefined
      })
      assert.deepStrictEqual(yield* refusal(site, PAGE, { filter: { status: "GONE" } }), {
        code: "BAD_USER_INPUT",
        field: undefined
      })
      assert.deepStrictEqual(yield* refusal(site, PAGE, { filter: { direction: "receiver" } }), {
        code: "BAD_USER_INPUT",
        field: undefined
      })
      // the same arguments in range are answered
      assert.strictEqual((yield* page(site, { first: 500, filter: { status: "ACTIVE" } })).totalCount, 1)
    }).pipe(Effect.scoped)
  )
})
