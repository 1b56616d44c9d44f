import * as Net from "node:net"
import { assert, describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, type Scope, TestClock } from "effect"
import WebSocket from "ws"
import * as Outbox from "../../src/graphql/Outbox.js"
import { createReceiver, graphql, type RunningSite, startSite } from "../utils/App.js"
import { type EventStream, sse, turns, within } from "../utils/Clients.js"
import * as FakeSite from "../utils/FakeSite.js"
import { CONNECTION_CHANGED, STATUS_EVENTS } from "./Documents.js"

// SSE subscriptions go the way graphql-ws's do: each event encoded once, each response's outbox bounded.

const ACTIVE_SENDER = FakeSite.json(200, { success: true, status: "active", name: "x" })

// one sample of /metrics (0 when the series has none yet)
const metric = (site: RunningSite, series: string) =>
  Effect.promise(async () => {
    const body = await fetch(`${site.siteUrl}/metrics`).then((response) => response.text())
    const line = body.split("\n").find((each) => each.startsWith(`${series} `))
    return line === undefined ? 0 : Number(line.slice(series.length + 1))
  })

const ENCODINGS = "syncwatch_subscription_encodings_total"
const SLOW_SSE = `syncwatch_slow_readers_total{transport="sse"}`
const SUBSCRIBERS = `syncwatch_subscribers{operation="connectionChanged"}`

const SUSPEND = `mutation ($uuid: ID!, $reason: String) {
  updateConnectionStatus(uuid: $uuid, status: SUSPENDED, reason: $reason) { connection { uuid } }
}`

// a subscriber that sends its request and never reads a byte of the answer
const neverReads = (site: RunningSite, query: string): Effect.Effect<Net.Socket, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<Net.Socket>((resume) => {
      const socket = Net.connect(site.port, "127.0.0.1", () => {
        const body = JSON.stringify({ query })
        socket.write(
          `POST /graphql HTTP/1.1\r\nhost: 127.0.0.1:${site.port}\r\ncontent-type: application/json\r\n` +
            `accept: text/event-stream\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
        )
        resume(Effect.succeed(socket))
      })
    }),
    (socket) => Effect.sync(() => socket.destroy())
  )

// a graphql-ws subscriber that stops reading once it has subscribed; `closed` is the code it then sees
const neverReadsWs = (site: RunningSite, query: string) =>
  Effect.gen(function* () {
    const socket = yield* Effect.acquireRelease(
      Effect.sync(() => new WebSocket(`ws://127.0.0.1:${site.port}/graphql`, "graphql-transport-ws")),
      (socket) => Effect.sync(() => socket.terminate())
    )
    const acked = yield* Deferred.make<void>()
    const closed = yield* Deferred.make<number>()
    socket.on("message", (data) => {
      if ((JSON.parse(String(data)) as { type: string }).type === "connection_ack")
        Deferred.unsafeDone(acked, Exit.void)
    })
    socket.on("close", (code) => Deferred.unsafeDone(closed, Exit.succeed(code)))
    yield* Effect.async<void>((resume) => void socket.once("open", () => resume(Effect.void)))
    socket.send(JSON.stringify({ type: "connection_init" }))
    yield* Deferred.await(acked)
    socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query } }))
    socket.pause()
    return { resume: Effect.sync(() => socket.resume()), closed }
  })

// what the socket still receives, until the server closes it
const readToClose = (socket: Net.Socket) =>
  Effect.async<string>((resume) => {
    let text = ""
    socket.on("data", (data: Buffer) => {
      text += data.toString("latin1")
    })
    socket.once("close", () => resume(Effect.succeed(text)))
    socket.resume()
  })

const ONCE = `subscription { statusEvents { __typename ... on StatusRoundCompleted { round checked severed } } }`

describe("SSE subscriptions through the fan-out", () => {
  it.live("yoga's framing, byte for byte: a first ':', each result, a stream's error, complete; CORS headers", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ CORS_ORIGINS: "http://page.example" })
      const stream = (init: RequestInit & { readonly url?: string }) =>
        Effect.promise(async () => {
          const response = await fetch(init.url ?? site.graphqlUrl, init)
          return { headers: response.headers, body: await response.text() }
        })
      const posted = yield* stream({
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream", origin: "http://page.example" },
        body: JSON.stringify({ query: ONCE })
      })
      assert.strictEqual(
        posted.body,
        ':\n\nevent: next\ndata: {"data":{"statusEvents":{"__typename":"StatusRoundCompleted","round":1,"checked":0,"severed":0}}}\n\n' +
          "event: complete\ndata:\n\n"
      )
      assert.strictEqual(posted.headers.get("content-type"), "text/event-stream")
      assert.strictEqual(posted.headers.get("cache-control"), "no-cache")
      assert.strictEqual(posted.headers.get("access-control-allow-origin"), "http://page.example")
      // GET, and the stream's own error (everySeconds: 0) as its last result, located at the operation
      const query = encodeURIComponent(STATUS_EVENTS)
      const variables = encodeURIComponent(JSON.stringify({ every: 0 }))
      const refused = yield* stream({
        url: `${site.graphqlUrl}?query=${query}&variables=${variables}`,
        headers: { accept: "text/event-stream" }
      })
      assert.strictEqual(
        refused.body,
        ':\n\nevent: next\ndata: {"errors":[{"message":"everySeconds must be an integer >= 1","locations":[{"line":1,"column":1}],"extensions":{"code":"InvalidInput","field":"everySeconds"}}]}\n\n' +
          "event: complete\ndata:\n\n"
      )
    }).pipe(Effect.scoped)
  )

  it.live("two SSE subscribers of one document: each event executed and serialised once for both", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const remote = yield* FakeSite.make(ACTIVE_SENDER)
      const first = yield* sse(site.graphqlUrl, CONNECTION_CHANGED)
      const second = yield* sse(site.graphqlUrl, CONNECTION_CHANGED)
      yield* Deferred.await(first.started).pipe(within("the first stream"))
      yield* Deferred.await(second.started).pipe(within("the second stream"))
      yield* turns()
      const before = yield* metric(site, ENCODINGS)

      const uuid = yield* createReceiver(site, remote.url)
      const created = { data: { connectionChanged: { kind: "CREATED", connectionUuid: uuid } } }
      expect(yield* first.next.pipe(within("the first subscriber's event"))).toMatchObject(created)
      expect(yield* second.next.pipe(within("the second subscriber's event"))).toMatchObject(created)
      assert.strictEqual((yield* metric(site, ENCODINGS)) - before, 1)
    }).pipe(Effect.scoped)
  )

  // about 50 kB an event: 200 of them (10 MB) are more than a never-reading socket's kernel buffers take
  const aliases = Array.from({ length: 1000 }, (_, i) => `c${i}: connectionUuid`).join(" ")
  const BIG = `subscription { connectionChanged { kind connectionUuid ${aliases} } }`
  const bigSite = startSite({ GRAPHQL_MAX_ALIASES: "2000", GRAPHQL_MAX_TOKENS: "5000" })

  // a reader that never reads `slow` (subscribed first), another that reads every change: the slow one is given
  // up on once it has not drained for STALL_MILLIS, and only then; the other has every change, and the next
  const floodUntilStalled = (
    site: RunningSite,
    slowSeries: string,
    slowSubscribed: Effect.Effect<unknown, never, Scope.Scope>
  ) =>
    Effect.gen(function* () {
      const remote = yield* FakeSite.make(ACTIVE_SENDER)
      const uuid = yield* createReceiver(site, remote.url)
      const subscribers = yield* metric(site, SUBSCRIBERS)
      const slowBefore = yield* metric(site, slowSeries)
      yield* slowSubscribed
      const fast = yield* sse(site.graphqlUrl, BIG)
      yield* Deferred.await(fast.started).pipe(within("the reading stream"))
      yield* metric(site, SUBSCRIBERS).pipe(
        Effect.repeat({ until: (open) => open === subscribers + 2 }),
        within("both subscribed")
      )
      yield* turns()

      // every change is one connection's: past the bound the slow socket's are conflated, never dropped
      for (let i = 0; i < 200; i++) {
        yield* graphql(site.graphqlUrl, SUSPEND, { uuid, reason: `r${i}` })
        const event = yield* fast.next.pipe(within(`change ${i}`))
        assert.strictEqual((event.data?.["connectionChanged"] as { c999?: string } | undefined)?.c999, uuid)
      }
      yield* TestClock.adjust(Outbox.STALL_MILLIS - 1)
      yield* turns()
      assert.strictEqual((yield* metric(site, slowSeries)) - slowBefore, 0)
      assert.strictEqual(yield* metric(site, SUBSCRIBERS), subscribers + 2)

      yield* TestClock.adjust(1)
      yield* metric(site, slowSeries).pipe(
        Effect.repeat({ until: (n) => n === slowBefore + 1 }),
        within("the slow reader given up on")
      )
      yield* metric(site, SUBSCRIBERS).pipe(
        Effect.repeat({ until: (open) => open === subscribers + 1 }),
        within("the slow reader's subscription ended")
      )
      return { fast, uuid }
    })

  const stillServed = (site: RunningSite, fast: EventStream, uuid: string) =>
    Effect.gen(function* () {
      yield* graphql(site.graphqlUrl, SUSPEND, { uuid, reason: "after" })
      expect(yield* fast.next.pipe(within("the change after"))).toMatchObject({
        data: { connectionChanged: { kind: "UPDATED", connectionUuid: uuid } }
      })
      assert.isFalse(yield* Deferred.isDone(fast.ended))
    })

  it.scoped("an SSE reader that never reads is cut off after STALL_MILLIS; another keeps getting its events", () =>
    Effect.gen(function* () {
      const site = yield* bigSite
      let slow: Net.Socket | undefined
      const { fast, uuid } = yield* floodUntilStalled(
        site,
        SLOW_SSE,
        Effect.tap(neverReads(site, BIG), (socket) => (slow = socket))
      )
      // its socket is closed with the body cut off: no `complete`, no last chunk
      const received = yield* readToClose(slow!).pipe(within("the slow socket closed", "20 seconds"))
      assert.include(received, "event: next")
      assert.notInclude(received, "event: complete")
      assert.isFalse(received.endsWith("0\r\n\r\n"))
      yield* stillServed(site, fast, uuid)
    })
  )

  it.scoped("a graphql-ws reader that never reads is closed with 1013 after STALL_MILLIS; an SSE one keeps going", () =>
    Effect.gen(function* () {
      const site = yield* bigSite
      let slow: Effect.Effect.Success<ReturnType<typeof neverReadsWs>> | undefined
      const { fast, uuid } = yield* floodUntilStalled(
        site,
        `syncwatch_slow_readers_total{transport="graphql-ws"}`,
        Effect.tap(neverReadsWs(site, BIG), (socket) => (slow = socket))
      )
      yield* slow!.resume
      assert.strictEqual(yield* Deferred.await(slow!.closed).pipe(within("the close", "20 seconds")), 1013)
      yield* stillServed(site, fast, uuid)
    })
  )
})
