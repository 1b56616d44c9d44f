import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { graphql, startSite } from "../utils/App.js"

const TOKEN = "a-long-admin-token-for-tests"

const codes = (result: { readonly errors?: ReadonlyArray<{ readonly extensions?: { readonly code?: string } }> }) =>
  result.errors?.map((error) => error.extensions?.code)

const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: connections { uuid }`).join(" ")} }`

// connections, remoteNotification, status: depth 3
const DEPTH_3 = "{ connections { remoteNotification { status } } }"

// `{ connections { uuid } }` is 6 tokens with <EOF>; each extra field is one more
const tokens = (n: number) => `{ connections { ${Array.from({ length: n - 5 }, () => "uuid").join(" ")} } }`

// armor's cost of `{ senderStatuses { connectionUuid status } }`: an object (2) + 1.5 × two scalars = 5
const EXPENSIVE = "{ senderStatuses { connectionUuid status } }"
const CHEAP = "{ connections { uuid status } }"

describe("query limits (GraphQL Armor), each at its edge", () => {
  it.live("aliases: 50 pass, 51 are refused", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const ok = yield* graphql(site.graphqlUrl, aliases(50))
      assert.isUndefined(ok.errors, JSON.stringify(ok.errors))
      assert.lengthOf(Object.keys(ok.data ?? {}), 50)
      const refused = yield* graphql(site.graphqlUrl, aliases(51))
      assert.deepStrictEqual(codes(refused), ["MaxAliasesExceeded"])
      assert.isUndefined(refused.data)
    }).pipe(Effect.scoped)
  )

  it.live("aliases: GRAPHQL_MAX_ALIASES moves the edge", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ GRAPHQL_MAX_ALIASES: "3" })
      assert.isUndefined((yield* graphql(site.graphqlUrl, aliases(3))).errors)
      assert.deepStrictEqual(codes(yield* graphql(site.graphqlUrl, aliases(4))), ["MaxAliasesExceeded"])
    }).pipe(Effect.scoped)
  )

  it.live("depth: GRAPHQL_MAX_DEPTH passes, one more is refused", () =>
    Effect.gen(function* () {
      const at = yield* startSite({ GRAPHQL_MAX_DEPTH: "3" })
      const ok = yield* graphql(at.graphqlUrl, DEPTH_3)
      assert.isUndefined(ok.errors, JSON.stringify(ok.errors))
      const below = yield* startSite({ GRAPHQL_MAX_DEPTH: "2" })
      assert.deepStrictEqual(codes(yield* graphql(below.graphqlUrl, DEPTH_3)), ["MaxDepthExceeded"])
      assert.isUndefined((yield* graphql(below.graphqlUrl, "{ connections { uuid } }")).errors)
    }).pipe(Effect.scoped)
  )

  it.live("tokens: GRAPHQL_MAX_TOKENS passes, one more is refused", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ GRAPHQL_MAX_TOKENS: "20" })
      const ok = yield* graphql(site.graphqlUrl, tokens(20))
      assert.isUndefined(ok.errors, JSON.stringify(ok.errors))
      assert.deepStrictEqual(codes(yield* graphql(site.graphqlUrl, tokens(21))), ["MaxTokensExceeded"])
    }).pipe(Effect.scoped)
  )

  it.live(
    "cost: senderStatuses weighs GRAPHQL_EXPENSIVE_FIELD_COST; at GRAPHQL_MAX_COST passes, one below is refused",
    () =>
      Effect.gen(function* () {
        const at = yield* startSite({ GRAPHQL_MAX_COST: "2005" })
        const ok = yield* graphql(at.graphqlUrl, EXPENSIVE)
        assert.isUndefined(ok.errors, JSON.stringify(ok.errors))
        const below = yield* startSite({ GRAPHQL_MAX_COST: "2004" })
        assert.deepStrictEqual(codes(yield* graphql(below.graphqlUrl, EXPENSIVE)), ["CostLimitExceeded"])
        // the same selection on a cheap field costs 5
        assert.isUndefined((yield* graphql(below.graphqlUrl, CHEAP)).errors)
      }).pipe(Effect.scoped)
  )

  it.live("directives: GRAPHQL_MAX_DIRECTIVES passes, one more is refused", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ GRAPHQL_MAX_DIRECTIVES: "2" })
      const directives = (n: number) =>
        `{ connections { ${Array.from({ length: n }, (_, i) => `f${i}: uuid @include(if: true)`).join(" ")} } }`
      const ok = yield* graphql(site.graphqlUrl, directives(2))
      assert.isUndefined(ok.errors, JSON.stringify(ok.errors))
      assert.deepStrictEqual(codes(yield* graphql(site.graphqlUrl, directives(3))), ["MaxDirectivesExceeded"])
    }).pipe(Effect.scoped)
  )

  it.live("cost: by default two rounds of checks in one request pass, three are refused", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const rounds = (n: number) =>
        `{ ${Array.from({ length: n }, (_, i) => `r${i}: senderStatuses { connectionUuid }`).join(" ")} }`
      assert.isUndefined((yield* graphql(site.graphqlUrl, rounds(2))).errors)
      assert.deepStrictEqual(codes(yield* graphql(site.graphqlUrl, rounds(3))), ["CostLimitExceeded"])
      const verify =
        "mutation { a: verifyReceiverConnections { connectionUuid } b: verifyReceiverConnections { connectionUuid } c: verifyReceiverConnections { connectionUuid } }"
      assert.deepStrictEqual(codes(yield* graphql(site.graphqlUrl, verify)), ["CostLimitExceeded"])
    }).pipe(Effect.scoped)
  )

  it.live("field suggestions: given without ADMIN_TOKEN, blocked with it", () =>
    Effect.gen(function* () {
      const open = yield* startSite()
      const hinted = yield* graphql(open.graphqlUrl, "{ connectionz { uuid } }")
      assert.include(hinted.errors?.[0]?.message, "Did you mean")
      const locked = yield* startSite({ ADMIN_TOKEN: TOKEN })
      const masked = yield* graphql(
        locked.graphqlUrl,
        "{ connectionz { uuid } }",
        {},
        { authorization: `Bearer ${TOKEN}` }
      )
      assert.isDefined(masked.errors?.[0])
      assert.notInclude(masked.errors?.[0]?.message, "Did you mean")
      assert.notInclude(masked.errors?.[0]?.message, "connections")
    }).pipe(Effect.scoped)
  )
})

describe("the /graphql body limit", () => {
  // a valid request padded to exactly `size` bytes
  const body = (size: number) => {
    const base = JSON.stringify({ query: "{ connections { uuid } }", variables: { pad: "" } })
    return JSON.stringify({ query: "{ connections { uuid } }", variables: { pad: "x".repeat(size - base.length) } })
  }
  const post = (url: string, text: string, chunked: boolean) =>
    Effect.promise(async () => {
      const bytes = new TextEncoder().encode(text)
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        // a stream has no declared length: the limit must hold while the body streams in
        body: chunked ? new Blob([bytes]).stream() : bytes,
        ...(chunked ? { duplex: "half" } : {})
      } as RequestInit)
      return { status: response.status, body: (await response.json()) as Record<string, any> }
    })

  it.live("1 MiB by default: the limit passes, one byte more is 413, declared or streamed", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      for (const chunked of [false, true]) {
        const ok = yield* post(site.graphqlUrl, body(1024 * 1024), chunked)
        assert.strictEqual(ok.status, 200, JSON.stringify(ok.body).slice(0, 200))
        const refused = yield* post(site.graphqlUrl, body(1024 * 1024 + 1), chunked)
        assert.strictEqual(refused.status, 413)
        assert.strictEqual(refused.body["errors"][0].extensions.code, "BodyTooLarge")
      }
    }).pipe(Effect.scoped)
  )

  it.live("GRAPHQL_BODY_LIMIT moves the edge", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ GRAPHQL_BODY_LIMIT: "300" })
      assert.strictEqual((yield* post(site.graphqlUrl, body(300), true)).status, 200)
      assert.strictEqual((yield* post(site.graphqlUrl, body(301), false)).status, 413)
    }).pipe(Effect.scoped)
  )
})
