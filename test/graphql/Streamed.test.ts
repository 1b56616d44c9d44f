import * as Http from "node:http"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, TestClock } from "effect"
import { createReceiver, graphql, type RunningSite, startSite } from "../utils/App.js"
import { within, wsClient, wsSubscribe } from "../utils/Clients.js"
import * as FakeSite from "../utils/FakeSite.js"

// senderStatuses written as its results arrive (src/graphql/Streamed.ts): the same bytes as graphql's own
// execution of the same selection, and the same ends when the client leaves.

const SELECTION = "__typename id: connectionUuid status status remoteStatus reason detail checkedAt durationMs"
// the writer's shape: one root field of leaves, with aliases, __typename and a key asked twice
const STREAMED = `query ($age: Int) { list: senderStatuses(maxAgeSeconds: $age) { ${SELECTION} } }`
// the same selection through a fragment, which the writer leaves to graphql's executor
const EXECUTED = `query ($age: Int) { list: senderStatuses(maxAgeSeconds: $age) { ...F } }
fragment F on SenderStatusFetched { ${SELECTION} }`

interface Posted {
  readonly headers: Deferred.Deferred<Http.IncomingHttpHeaders>
  // the first bytes of the body
  readonly started: Deferred.Deferred<string>
  // the whole body, or the error that cut it off
  readonly body: Effect.Effect<string, Error>
  readonly leave: Effect.Effect<void>
}

// a POST over node's own client, so the test sees the response's framing and its first chunk
const post = (url: string, query: string, variables: Record<string, unknown> = {}) =>
  Effect.gen(function* () {
    const headers = yield* Deferred.make<Http.IncomingHttpHeaders>()
    const started = yield* Deferred.make<string>()
    const done = yield* Deferred.make<string, Error>()
    const request = Http.request(
      url,
      { method: "POST", headers: { "content-type": "application/json", accept: "application/json" } },
      (response) => {
        Deferred.unsafeDone(headers, Exit.succeed(response.headers))
        const chunks: Array<Buffer> = []
        response.on("data", (chunk: Buffer) => {
          if (chunks.length === 0) Deferred.unsafeDone(started, Exit.succeed(chunk.toString("utf8")))
          chunks.push(chunk)
        })
        response.on("end", () => Deferred.unsafeDone(done, Exit.succeed(Buffer.concat(chunks).toString("utf8"))))
        response.on("error", (error) => Deferred.unsafeDone(done, Exit.fail(error)))
      }
    )
    request.on("error", (error) => Deferred.unsafeDone(done, Exit.fail(error)))
    request.end(JSON.stringify({ query, variables }))
    yield* Effect.addFinalizer(() => Effect.sync(() => request.destroy()))
    return {
      headers,
      started,
      body: Deferred.await(done),
      leave: Effect.sync(() => request.destroy())
    } satisfies Posted
  })

// answers by path: active, not found, a server error (reason and detail), in turn
const mixedRemote = FakeSite.make((request) => {
  const i = Number(/\/r(\d+)\//.exec(request.path)?.[1] ?? 0)
  return i % 3 === 0
    ? FakeSite.json(200, { success: true, status: "active" })
    : i % 3 === 1
      ? FakeSite.json(404, { success: false, exists: false })
      : FakeSite.text(500, "a server error")
})

const receivers = (site: RunningSite, remoteUrl: string, n: number) =>
  Effect.gen(function* () {
    for (let batch = 0; batch < n; batch += 20) {
      const aliases = Array.from({ length: Math.min(20, n - batch) }, (_, k) => batch + k).map(
        (i) =>
          `c${i}: createConnection(input: { name: "r${i}", direction: RECEIVER, siteUrl: "${remoteUrl}/r${i}" }) { authToken }`
      )
      const created = yield* graphql(site.graphqlUrl, `mutation { ${aliases.join(" ")} }`)
      assert.isUndefined(created.errors, JSON.stringify(created.errors))
    }
  })

describe("senderStatuses written as its results arrive", () => {
  it.live("sends the bytes graphql's own execution sends", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const remote = yield* mixedRemote
      yield* receivers(site, remote.url, 200)
      // every receiver checked once; then both answers are served from the same known results
      yield* Effect.flatMap(post(site.graphqlUrl, STREAMED, { age: 0 }), (posted) => posted.body)

      const streamed = yield* post(site.graphqlUrl, STREAMED, { age: 3600 })
      const streamedBody = yield* streamed.body
      const streamedHeaders = yield* Deferred.await(streamed.headers)
      const executed = yield* post(site.graphqlUrl, EXECUTED, { age: 3600 })
      const executedBody = yield* executed.body
      const executedHeaders = yield* Deferred.await(executed.headers)

      assert.isAbove(streamedBody.length, 32 * 1024, "larger than the writer's chunks")
      assert.strictEqual(streamedBody, executedBody)
      assert.strictEqual(streamedHeaders["content-type"], executedHeaders["content-type"])
      const list = JSON.parse(streamedBody).data.list as ReadonlyArray<Record<string, unknown>>
      assert.lengthOf(list, 200)
      assert.deepStrictEqual(
        [...new Set(list.map((item) => item["status"]))].sort(),
        ["ACTIVE", "ERROR", "NOT_FOUND"],
        "nulls and strings, every outcome"
      )

      // the very same document executed by graphql over graphql-ws
      const client = yield* wsClient(site.port)
      const overWs = yield* wsSubscribe(client, STREAMED, { age: 3600 })
      assert.strictEqual(JSON.stringify(yield* overWs.next), streamedBody)
    }).pipe(Effect.scoped)
  )

  it.live("a client that leaves after the first bytes closes the remote requests still open", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const answering = yield* FakeSite.make(FakeSite.json(200, { success: true, status: "active" }))
      const hanging = yield* FakeSite.make(FakeSite.hang)
      yield* createReceiver(site, answering.url, "answers")
      yield* createReceiver(site, hanging.url, "hangs")
      const posted = yield* post(site.graphqlUrl, STREAMED, { age: 0 })
      const first = yield* Deferred.await(posted.started).pipe(within("the answer's first bytes"))
      assert.include(first, '{"data":{"list":[{"__typename":"SenderStatusFetched","id":')
      assert.isUndefined((yield* Deferred.await(posted.headers))["content-length"])
      assert.isFalse(yield* Deferred.isDone(hanging.closed))
      yield* posted.leave
      const outcome = yield* Deferred.await(hanging.closed).pipe(within("the remote's request to close"))
      assert.isFalse(outcome.completed)
    }).pipe(Effect.scoped)
  )

  it.scoped("a budget that runs out after the first bytes ends the response unfinished, and the checks", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ GRAPHQL_OPERATION_TIMEOUT_MS: "2000", PEER_TIMEOUT_MS: "600000" })
      const answering = yield* FakeSite.make(FakeSite.json(200, { success: true, status: "active" }))
      const hanging = yield* FakeSite.make(FakeSite.hang)
      yield* createReceiver(site, answering.url, "answers")
      yield* createReceiver(site, hanging.url, "hangs")
      const posted = yield* post(site.graphqlUrl, "{ senderStatuses { connectionUuid status } }")
      const body = yield* Effect.fork(Effect.either(posted.body))
      yield* Deferred.await(posted.started).pipe(within("the answer's first bytes"))
      yield* Deferred.await(hanging.received).pipe(within("the hanging request"))
      yield* TestClock.adjust("1999 millis")
      assert.isNull(body.unsafePoll(), "the answer goes on before the budget's end")
      yield* TestClock.adjust("1 millis")
      const ended = yield* Fiber.join(body).pipe(within("the response to end"))
      assert.strictEqual(ended._tag, "Left", "never a whole JSON answer once its first bytes said data")
      const outcome = yield* Deferred.await(hanging.closed).pipe(within("the remote's request to close"))
      assert.isFalse(outcome.completed)
    })
  )
})
