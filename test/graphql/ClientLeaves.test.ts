import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect } from "effect"
import { createReceiver, startSite } from "../utils/App.js"
import { realPingInterval, sse, turns, within, wsClient, wsSubscribe } from "../utils/Clients.js"
import * as FakeSite from "../utils/FakeSite.js"
import { abandonable, SENDER_STATUSES, STATUS_EVENTS } from "./Documents.js"

// Each remote hangs: the only way its request ends is that we hang up, because our client left.
const hangingReceiver = Effect.gen(function* () {
  yield* realPingInterval
  const site = yield* startSite()
  const remote = yield* FakeSite.make(FakeSite.hang)
  yield* createReceiver(site, remote.url)
  return { site, remote }
})

const remoteSeesTheClose = (remote: FakeSite.FakeSite) =>
  Effect.gen(function* () {
    const outcome = yield* Deferred.await(remote.closed).pipe(within("the remote's request to close"))
    assert.isFalse(outcome.completed)
    assert.lengthOf(yield* remote.requests, 1)
  })

describe("the client leaves, the work dies", () => {
  it.live("SSE statusEvents: aborting the fetch closes the remote request", () =>
    Effect.gen(function* () {
      const { site, remote } = yield* hangingReceiver
      const events = yield* sse(site.graphqlUrl, STATUS_EVENTS)
      yield* Deferred.await(remote.received).pipe(within("the status request"))
      yield* events.leave
      yield* remoteSeesTheClose(remote)
    }).pipe(Effect.scoped)
  )

  it.live.each([
    ["statusEvents", "unsubscribing", STATUS_EVENTS],
    ["senderStatuses query", "completing that one operation", SENDER_STATUSES]
  ] as const)("graphql-ws %s: %s closes the remote request", ([, , operation]) =>
    Effect.gen(function* () {
      const { site, remote } = yield* hangingReceiver
      let closed = 0
      const client = yield* wsClient(site.port, { closed: () => closed++ })
      // a second operation keeps the lazy socket open: only this operation ends, not the connection
      yield* wsSubscribe(client, "subscription { connectionChanged { kind } }")
      const events = yield* wsSubscribe(client, operation)
      yield* Deferred.await(remote.received).pipe(within("the status request"))
      yield* events.unsubscribe
      yield* remoteSeesTheClose(remote)
      assert.strictEqual(closed, 0, "the socket stays open for the other operation")
    }).pipe(Effect.scoped)
  )

  it.live("graphql-ws statusEvents: disposing the client closes the remote request", () =>
    Effect.gen(function* () {
      const { site, remote } = yield* hangingReceiver
      const client = yield* wsClient(site.port)
      yield* wsSubscribe(client, STATUS_EVENTS)
      yield* Deferred.await(remote.received).pipe(within("the status request"))
      yield* Effect.promise(async () => client.dispose())
      yield* remoteSeesTheClose(remote)
    }).pipe(Effect.scoped)
  )

  it.live("a senderStatuses query aborted by the client closes the remote request", () =>
    Effect.gen(function* () {
      const { site, remote } = yield* hangingReceiver
      const posted = abandonable(site.graphqlUrl, SENDER_STATUSES)
      yield* Deferred.await(remote.received).pipe(within("the status request"))
      posted.abort()
      assert.instanceOf(yield* posted.outcome, Error)
      yield* remoteSeesTheClose(remote)
    }).pipe(Effect.scoped)
  )
})

describe("subscribers in the same moment", () => {
  it.live("two SSE statusEvents share one remote check, which lives until the last one leaves", () =>
    Effect.gen(function* () {
      const { site, remote } = yield* hangingReceiver
      const first = yield* sse(site.graphqlUrl, STATUS_EVENTS)
      yield* Deferred.await(remote.received).pipe(within("the status request"))
      const second = yield* sse(site.graphqlUrl, STATUS_EVENTS)
      yield* Deferred.await(second.started).pipe(within("the second subscription"))
      yield* turns()
      assert.lengthOf(yield* remote.requests, 1)

      yield* first.leave
      yield* turns()
      assert.isFalse(yield* Deferred.isDone(remote.closed), "the second subscriber still waits on the check")
      assert.lengthOf(yield* remote.requests, 1)

      yield* second.leave
      yield* remoteSeesTheClose(remote)
    }).pipe(Effect.scoped)
  )
})
