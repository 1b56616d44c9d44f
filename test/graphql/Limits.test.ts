import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, TestClock } from "effect"
import { createReceiver, graphql, type RunningSite, startSite } from "../utils/App.js"
import { within } from "../utils/Clients.js"
import * as FakeSite from "../utils/FakeSite.js"

const TOKEN = "a-long-admin-token-for-tests"

const codes = (result: { readonly errors?: ReadonlyArray<{ readonly extensions?: { readonly code?: string } }> }) =>
  result.errors?.map((error) => error.extensions?.code)

const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: connections { uuid }`).join(" ")} }`

// connections, remoteNotification, status: depth 3
const DEPTH_3 = "{ connections { remoteNotification { status } } }"

// `{ connections { uuid } }` is 6 tokens with <EOF>; each extra field is one more
const tokens = (n: number) => `{ connections { ${Array.from({ length: n - 5 }, () => "uuid").join(" ")} } }`

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
        // an empty registry: the field (1) and its weight, its list of no receivers adds nothing
        const config = { GRAPHQL_EXPENSIVE_FIELD_COST: "2000" }
        const at = yield* startSite({ ...config, GRAPHQL_MAX_COST: "2001" })
        const ok = yield* graphql(at.graphqlUrl, EXPENSIVE)
        assert.isUndefined(ok.errors, JSON.stringify(ok.errors))
        const below = yield* startSite({ ...config, GRAPHQL_MAX_COST: "2000" })
        assert.deepStrictEqual(codes(yield* graphql(below.graphqlUrl, EXPENSIVE)), ["CostLimitExceeded"])
        // the same selection on a cheap field costs 1
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

// n receivers on unreachable site URLs, 10 to a mutation (within the token limit)
const receivers = (site: RunningSite, n: number, offset = 0) =>
  Effect.forEach(
    Array.from({ length: Math.ceil(n / 10) }, (_, batch) => batch),
    (batch) => {
      const names = Array.from({ length: Math.min(10, n - batch * 10) }, (_, i) => offset + batch * 10 + i)
      const mutation = `mutation { ${names
        .map(
          (i) =>
            `c${i}: createConnection(input: { name: "r${i}", direction: RECEIVER, siteUrl: "http://127.0.0.1:9/r${i}" }) { authToken }`
        )
        .join(" ")} }`
      return Effect.flatMap(graphql(site.graphqlUrl, mutation), (result) =>
        result.errors === undefined ? Effect.void : Effect.die(new Error(JSON.stringify(result.errors)))
      )
    },
    { discard: true }
  )

const HISTORY = (limit: string) =>
  `query ${limit === "$l" ? "($l: Int)" : ""} { connections { statusHistory(limit: ${limit}) { at } } }`

describe("the cost counts lists by their length", () => {
  it.live("limit (literal, variable or the default) and the registry's size multiply a list's selection", () =>
    Effect.gen(function* () {
      // connections (1) + 3 × (statusHistory: 1 + the read's 100, + limit × at)
      const site = yield* startSite({ GRAPHQL_MAX_COST: "334" })
      yield* receivers(site, 3)
      assert.isUndefined((yield* graphql(site.graphqlUrl, HISTORY("10"))).errors)
      assert.deepStrictEqual(codes(yield* graphql(site.graphqlUrl, HISTORY("11"))), ["CostLimitExceeded"])
      assert.isUndefined((yield* graphql(site.graphqlUrl, HISTORY("$l"), { l: 10 })).errors)
      assert.deepStrictEqual(codes(yield* graphql(site.graphqlUrl, HISTORY("$l"), { l: 11 })), ["CostLimitExceeded"])
      // without a limit, the schema's default of 50: 1 + 3 × 151
      const refused = yield* graphql(site.graphqlUrl, "{ connections { statusHistory { at } } }")
      assert.deepStrictEqual(codes(refused), ["CostLimitExceeded"])
      assert.include(refused.errors?.[0]?.message, "found 454")
    }).pipe(Effect.scoped)
  )

  it.live("the lists inside a page hold its first, whatever the registry's size", () =>
    Effect.gen(function* () {
      // connectionPage 1 + edges 1 + first × (node 1 + statusHistory 101 + 10 × at)
      const site = yield* startSite({ GRAPHQL_MAX_COST: "226" })
      yield* receivers(site, 3)
      const paged = (first: number) =>
        graphql(
          site.graphqlUrl,
          `{ connectionPage(first: ${first}) { edges { node { statusHistory(limit: 10) { at } } } } }`
        )
      assert.isUndefined((yield* paged(2)).errors)
      const refused = yield* paged(3)
      assert.deepStrictEqual(codes(refused), ["CostLimitExceeded"])
      assert.include(refused.errors?.[0]?.message, "found 338")
    }).pipe(Effect.scoped)
  )

  it.live("a connection more is a list item more", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ GRAPHQL_MAX_COST: "334" })
      yield* receivers(site, 3)
      assert.isUndefined((yield* graphql(site.graphqlUrl, HISTORY("10"))).errors)
      yield* receivers(site, 1, 3)
      const refused = yield* graphql(site.graphqlUrl, HISTORY("10"))
      assert.deepStrictEqual(codes(refused), ["CostLimitExceeded"])
      assert.include(refused.errors?.[0]?.message, "found 445")
    }).pipe(Effect.scoped)
  )

  it.live("issue 18's query (50 aliases of statusHistory(limit: 1000), a viewer) is refused before any work", () =>
    Effect.gen(function* () {
      const admin = "an-admin-token-for-the-cost-test"
      const viewer = "a-viewer-token-for-the-cost-test"
      // the tokens of 50 creations in one mutation: not the limit under test
      const site = yield* startSite({ ADMIN_TOKEN: admin, VIEWER_TOKEN: viewer, GRAPHQL_MAX_TOKENS: "100000" })
      const asAdmin = { authorization: `Bearer ${admin}` }
      const created = Array.from({ length: 100 }, (_, i) => i)
      for (let batch = 0; batch < 2; batch++) {
        const mutation = `mutation { ${created
          .slice(batch * 50, batch * 50 + 50)
          .map(
            (i) =>
              `c${i}: createConnection(input: { name: "r${i}", direction: RECEIVER, siteUrl: "http://127.0.0.1:9/r${i}" }) { authToken }`
          )
          .join(" ")} }`
        assert.isUndefined((yield* graphql(site.graphqlUrl, mutation, {}, asAdmin)).errors)
      }
      const query = `query { ${Array.from({ length: 50 }, (_, i) => `a${i}: connections { statusHistory(limit: 1000) { at } }`).join(" ")} }`
      const refused = yield* graphql(site.graphqlUrl, query, {}, { authorization: `Bearer ${viewer}` })
      assert.deepStrictEqual(codes(refused), ["CostLimitExceeded"])
      assert.isUndefined(refused.data)
    }).pipe(Effect.scoped)
  )
})

describe("an operation's budget", () => {
  it.scoped(
    "GRAPHQL_OPERATION_TIMEOUT_MS: at the deadline the operation ends with OperationTimeout and its work stops",
    () =>
      Effect.gen(function* () {
        const site = yield* startSite({ GRAPHQL_OPERATION_TIMEOUT_MS: "2000", PEER_TIMEOUT_MS: "600000" })
        const remote = yield* FakeSite.make(FakeSite.hang)
        yield* createReceiver(site, remote.url)
        const answer = yield* Effect.fork(graphql(site.graphqlUrl, "{ senderStatuses { connectionUuid status } }"))
        yield* Deferred.await(remote.received).pipe(within("the status request"))
        yield* TestClock.adjust("1999 millis")
        assert.isFalse(yield* Deferred.isDone(remote.closed), "the check still runs before the deadline")
        assert.isNull(answer.unsafePoll())
        yield* TestClock.adjust("1 millis")
        const result = yield* Fiber.join(answer).pipe(within("the answer"))
        assert.deepStrictEqual(codes(result), ["OperationTimeout"])
        assert.include(result.errors?.[0]?.message, "GRAPHQL_OPERATION_TIMEOUT_MS")
        const outcome = yield* Deferred.await(remote.closed).pipe(within("the remote's request to close"))
        assert.isFalse(outcome.completed)
      })
  )

  it.live("GRAPHQL_MAX_RESULT_BYTES: a larger result is refused with ResultTooLarge", () =>
    Effect.gen(function* () {
      const query = "{ connections { uuid name siteUrl } }"
      const small = yield* startSite({ GRAPHQL_MAX_RESULT_BYTES: "200" })
      yield* receivers(small, 3)
      const refused = yield* graphql(small.graphqlUrl, query)
      assert.deepStrictEqual(codes(refused), ["ResultTooLarge"])
      assert.include(refused.errors?.[0]?.message, "GRAPHQL_MAX_RESULT_BYTES")
      const large = yield* startSite({ GRAPHQL_MAX_RESULT_BYTES: "2000" })
      yield* receivers(large, 3)
      const ok = yield* graphql(large.graphqlUrl, query)
      assert.isUndefined(ok.errors, JSON.stringify(ok.errors))
      assert.lengthOf(ok.data?.["connections"], 3)
    }).pipe(Effect.scoped)
  )
})
