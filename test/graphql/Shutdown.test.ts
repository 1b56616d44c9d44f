import * as Net from "node:net"
import { assert, describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Scope } from "effect"
import { createReceiver, startSite } from "../utils/App.js"
import { type Result, sse, within, wsClient, wsSubscribe } from "../utils/Clients.js"
import * as FakeSite from "../utils/FakeSite.js"
import { STATUS_EVENTS } from "./Documents.js"

describe("shutdown", () => {
  it.live("closing the site ends open SSE and graphql-ws subscriptions and the checks they wait on", () =>
    Effect.gen(function* () {
      const siteScope = yield* Scope.make()
      const site = yield* startSite().pipe(Scope.extend(siteScope))
      const answering = yield* FakeSite.make(FakeSite.json(200, { success: true, status: "active", name: "x" }))
      const hanging = yield* FakeSite.make(FakeSite.hang)
      const answered = yield* createReceiver(site, answering.url, "answers")
      yield* createReceiver(site, hanging.url, "hangs")

      // each subscription has seen the answering receiver, so both are live, and wait on the hanging one
      const overSse = yield* sse(site.graphqlUrl, STATUS_EVENTS, { every: 1 })
      const client = yield* wsClient(site.port)
      const overWs = yield* wsSubscribe(client, STATUS_EVENTS, { every: 1 })
      const first = { data: { statusEvents: { __typename: "SenderStatusFetched", connectionUuid: answered } } }
      expect(yield* overSse.next.pipe(within("the first SSE event"))).toMatchObject(first)
      expect(yield* overWs.next.pipe(within("the first ws event"))).toMatchObject(first)
      yield* Deferred.await(hanging.received).pipe(within("the hanging request"))

      // disconnect: closing a scope is uninterruptible, and the guard must fire even if it hangs
      yield* Scope.close(siteScope, Exit.void).pipe(Effect.disconnect, within("shutdown"))

      assert.strictEqual(yield* Deferred.await(overSse.ended).pipe(within("the SSE body to end")), "complete")
      assert.strictEqual(overSse.events.at(-1)?.event, "complete")
      yield* Deferred.await(overWs.done).pipe(within("the ws subscription to complete"))
      const outcome = yield* Deferred.await(hanging.closed).pipe(within("the hanging request to close"))
      assert.isFalse(outcome.completed)
      assert.lengthOf(yield* hanging.requests, 1)
    }).pipe(Effect.scoped)
  )

  // undici opens a spare connection after an aborted fetch, browsers preconnect: server.close() alone
  // would wait for the client to drop it
  it.live("a connection that never sent a request does not hold the shutdown", () =>
    Effect.gen(function* () {
      const siteScope = yield* Scope.make()
      const site = yield* startSite().pipe(Scope.extend(siteScope))
      const dropped = yield* Deferred.make<void>()
      const spare = yield* Effect.acquireRelease(
        Effect.async<Net.Socket>((resume) => {
          const socket = Net.connect(site.port, "127.0.0.1", () => resume(Effect.succeed(socket)))
        }),
        (socket) => Effect.sync(() => socket.destroy())
      )
      spare.once("close", () => Deferred.unsafeDone(dropped, Exit.void))
      // the server has accepted it once it answers a request on another connection
      const health = yield* Effect.promise(() => fetch(`${site.siteUrl}/health`).then((r) => r.status))
      assert.strictEqual(health, 200)

      yield* Scope.close(siteScope, Exit.void).pipe(Effect.disconnect, within("shutdown"))
      yield* Deferred.await(dropped).pipe(within("the spare connection to be closed"))
    }).pipe(Effect.scoped)
  )

  it.live("a query in flight at shutdown gets ShuttingDown, with 503 over HTTP and over graphql-ws", () =>
    Effect.gen(function* () {
      const siteScope = yield* Scope.make()
      const site = yield* startSite().pipe(Scope.extend(siteScope))
      // one hanging remote per operation: concurrent checks of one connection would share one request
      const forHttp = yield* FakeSite.make(FakeSite.hang)
      const forWs = yield* FakeSite.make(FakeSite.hang)
      const query = "query ($u: [ID!]) { senderStatuses(uuids: $u) { connectionUuid status } }"
      const httpUuid = yield* createReceiver(site, forHttp.url, "http")
      const wsUuid = yield* createReceiver(site, forWs.url, "ws")
      const overHttp = Effect.runPromise(
        Effect.promise(async () => {
          const response = await fetch(site.graphqlUrl, {
            method: "POST",
            headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
            body: JSON.stringify({ query, variables: { u: [httpUuid] } })
          })
          return { status: response.status, body: (await response.json()) as Result }
        })
      )
      const overWs = yield* wsSubscribe(yield* wsClient(site.port), query, { u: [wsUuid] })
      yield* Deferred.await(forHttp.received).pipe(within("the HTTP query's remote request"))
      yield* Deferred.await(forWs.received).pipe(within("the ws query's remote request"))

      yield* Scope.close(siteScope, Exit.void).pipe(Effect.disconnect, within("shutdown"))

      const http = yield* Effect.promise(() => overHttp).pipe(within("the HTTP answer"))
      assert.strictEqual(http.status, 503)
      assert.strictEqual(http.body.errors?.[0]?.extensions?.["code"], "ShuttingDown")
      const ws = yield* Deferred.await(overWs.done).pipe(Effect.flip, within("the ws answer"))
      assert.deepInclude((ws as ReadonlyArray<unknown>)[0], { extensions: { code: "ShuttingDown" } })
    }).pipe(Effect.scoped)
  )
})
