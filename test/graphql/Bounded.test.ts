import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit } from "effect"
import WebSocket from "ws"
import { createReceiver, graphql, startSite } from "../utils/App.js"
import { realPingInterval, within } from "../utils/Clients.js"
import * as FakeSite from "../utils/FakeSite.js"
import { abandonable, SENDER_STATUSES } from "./Documents.js"

// a full collection now, as memory pressure would do it at any time
setFlagsFromString("--expose-gc")
const collectGarbage = runInNewContext("gc") as () => void

// Bounded work per request: caps that refuse before any work, the same over HTTP and graphql-ws.

const health = (port: number) =>
  Effect.promise(() => fetch(`http://127.0.0.1:${port}/health`).then((response) => response.status))

const uuids = (n: number) =>
  Array.from({ length: n }, (_, i) => `01900000-0000-7000-8000-${String(i).padStart(12, "0")}`)

// a raw graphql-ws socket: what the server closes it with, and every message it sent
const rawSocket = (port: number) =>
  Effect.gen(function* () {
    const socket = yield* Effect.acquireRelease(
      Effect.sync(() => new WebSocket(`ws://127.0.0.1:${port}/graphql`, "graphql-transport-ws")),
      (socket) => Effect.sync(() => socket.terminate())
    )
    const closed = yield* Deferred.make<number>()
    const messages: Array<{ readonly type: string; readonly id?: string }> = []
    const acked = yield* Deferred.make<void>()
    const answered = yield* Deferred.make<string>()
    socket.on("close", (code) => Deferred.unsafeDone(closed, Exit.succeed(code)))
    socket.on("message", (data) => {
      const message = JSON.parse(String(data)) as { readonly type: string; readonly id?: string }
      messages.push(message)
      if (message.type === "connection_ack") Deferred.unsafeDone(acked, Exit.void)
      if (message.type === "next" || message.type === "error") Deferred.unsafeDone(answered, Exit.succeed(message.type))
    })
    yield* Effect.async<void>((resume) => void socket.once("open", () => resume(Effect.void)))
    socket.send(JSON.stringify({ type: "connection_init" }))
    yield* Deferred.await(acked).pipe(within("connection_ack"))
    return { socket, closed, answered, messages }
  })

// a subscribe message of exactly `bytes` bytes: the padding travels in an unused variable
const subscribeOfSize = (bytes: number) => {
  const base = (pad: string) =>
    JSON.stringify({ id: "1", type: "subscribe", payload: { query: "{ connections { uuid } }", variables: { pad } } })
  const message = base("x".repeat(bytes - base("").length))
  assert.strictEqual(Buffer.byteLength(message), bytes)
  return message
}

describe("caps on a request's work", () => {
  it.live("20,000 uuids are refused with InvalidInput while /health answers", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const [refused, status] = yield* Effect.all(
        [
          graphql(site.graphqlUrl, "query ($u: [ID!]) { senderStatuses(uuids: $u) { connectionUuid } }", {
            u: uuids(20_000)
          }),
          health(site.port)
        ],
        { concurrency: 2 }
      )
      assert.strictEqual(refused.errors?.[0]?.extensions?.code, "InvalidInput", JSON.stringify(refused.errors))
      assert.include(refused.errors?.[0]?.message, "at most 1000")
      assert.strictEqual(status, 200)
      // the same cap for verifyReceiverConnections
      const verify = yield* graphql(
        site.graphqlUrl,
        "mutation ($u: [ID!]) { verifyReceiverConnections(uuids: $u) { connectionUuid } }",
        { u: uuids(1_001) }
      )
      assert.strictEqual(verify.errors?.[0]?.extensions?.code, "InvalidInput")
    }).pipe(Effect.scoped)
  )

  it.live("a 2 MiB graphql-ws message closes the socket with 1009", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const { socket, closed } = yield* rawSocket(site.port)
      socket.send(subscribeOfSize(2 * 1024 * 1024))
      assert.strictEqual(yield* Deferred.await(closed).pipe(within("the close")), 1009)
      assert.strictEqual(yield* health(site.port), 200)
    }).pipe(Effect.scoped)
  )

  it.live("a frame that announces 2 MiB closes the socket with 1009 before its payload is sent", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const { socket, closed } = yield* rawSocket(site.port)
      // a masked text frame's header with a 64-bit length, its mask, and 16 bytes of the payload; no more
      const header = Buffer.alloc(14)
      header[0] = 0x81
      header[1] = 0x80 | 127
      header.writeBigUInt64BE(BigInt(2 * 1024 * 1024), 2)
      const tcp = (socket as unknown as { readonly _socket: import("node:net").Socket })._socket
      tcp.write(Buffer.concat([header, Buffer.alloc(16, 0x20)]))
      assert.strictEqual(yield* Deferred.await(closed).pipe(within("the close")), 1009)
      assert.strictEqual(yield* health(site.port), 200)
    }).pipe(Effect.scoped)
  )

  it.live("WS_MAX_MESSAGE_BYTES at its edge: the limit is answered, one byte more closes with 1009", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ WS_MAX_MESSAGE_BYTES: "4096" })
      const atLimit = yield* rawSocket(site.port)
      atLimit.socket.send(subscribeOfSize(4096))
      assert.strictEqual(yield* Deferred.await(atLimit.answered).pipe(within("the answer")), "next")
      assert.isFalse(yield* Deferred.isDone(atLimit.closed))

      const over = yield* rawSocket(site.port)
      over.socket.send(subscribeOfSize(4097))
      assert.strictEqual(yield* Deferred.await(over.closed).pipe(within("the close")), 1009)
      assert.isFalse(over.messages.some((message) => message.type === "next"))
    }).pipe(Effect.scoped)
  )
})

describe("aborts stop work", () => {
  it.live("an aborted 40-alias senderStatuses query closes every peer socket", () =>
    Effect.gen(function* () {
      yield* realPingInterval
      // 40 rounds of checks in one request are over the default cost limit (test/graphql/Limits.test.ts)
      const site = yield* startSite({ GRAPHQL_EXPENSIVE_FIELD_COST: "1" })
      const remotes = yield* Effect.forEach(Array.from({ length: 3 }), () => FakeSite.make(FakeSite.hang))
      yield* Effect.forEach(remotes, (remote, i) => createReceiver(site, remote.url, `hangs ${i}`))
      const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: senderStatuses { connectionUuid status }`)
      const posted = abandonable(site.graphqlUrl, `{ ${aliases.join("\n")} }`)
      yield* Effect.forEach(remotes, (remote) => Deferred.await(remote.received).pipe(within("each remote's request")))
      posted.abort()
      assert.instanceOf(yield* posted.outcome, Error)
      for (const remote of remotes) {
        const outcome = yield* Deferred.await(remote.closed).pipe(within("the remote's socket to close"))
        assert.isFalse(outcome.completed)
      }
      assert.strictEqual(yield* health(site.port), 200)
    }).pipe(Effect.scoped)
  )

  it.live("the client's leaving still stops the work after a garbage collection", () =>
    Effect.gen(function* () {
      yield* realPingInterval
      const site = yield* startSite()
      const remote = yield* FakeSite.make(FakeSite.hang)
      yield* createReceiver(site, remote.url)
      const posted = abandonable(site.graphqlUrl, SENDER_STATUSES)
      yield* Deferred.await(remote.received).pipe(within("the status request"))
      // the requests between the socket and yoga's are garbage by now: collected, they must not take the
      // client's leaving with them
      collectGarbage()
      posted.abort()
      assert.instanceOf(yield* posted.outcome, Error)
      const outcome = yield* Deferred.await(remote.closed).pipe(within("the remote's socket to close"))
      assert.isFalse(outcome.completed)
    }).pipe(Effect.scoped)
  )
})
