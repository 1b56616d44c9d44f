import * as Net from "node:net"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit } from "effect"
import { createClosableServer } from "../src/Server.js"
import { startSite, tryStartSite } from "./utils/App.js"
import { within } from "./utils/Clients.js"

// A raw client socket: what it was sent, and when the server closed it.
const rawClient = (port: number) =>
  Effect.gen(function* () {
    const closed = yield* Deferred.make<string>()
    let received = ""
    const socket = yield* Effect.acquireRelease(
      Effect.async<Net.Socket>((resume) => {
        const socket = Net.connect(port, "127.0.0.1", () => resume(Effect.succeed(socket)))
      }),
      (socket) => Effect.sync(() => socket.destroy())
    )
    socket.on("data", (chunk) => {
      received += chunk.toString("utf8")
    })
    socket.on("error", () => {})
    socket.on("close", () => Deferred.unsafeDone(closed, Exit.succeed(received)))
    return { socket, closed }
  })

describe("server timeouts and connection limits", () => {
  it.live("a request before the app's handler is attached gets 503 with Retry-After, then the app answers", () =>
    Effect.gen(function* () {
      const server = createClosableServer({ headersTimeoutMs: 1000, requestTimeoutMs: 1000, maxConnections: 10 })
      yield* Effect.acquireRelease(
        Effect.async<void>((resume) => {
          server.listen(0, "127.0.0.1", () => resume(Effect.void))
        }),
        () => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
      )
      const { port } = server.address() as Net.AddressInfo
      const ask = Effect.promise(() =>
        fetch(`http://127.0.0.1:${port}/health`).then(async (response) => ({
          status: response.status,
          retryAfter: response.headers.get("retry-after"),
          body: await response.text()
        }))
      ).pipe(within("an answer"))
      assert.deepStrictEqual(yield* ask, {
        status: 503,
        retryAfter: "1",
        body: JSON.stringify({ error: "syncwatch is starting; retry shortly" })
      })
      server.on("request", (_request, response) => response.end("served"))
      assert.deepStrictEqual(yield* ask, { status: 200, retryAfter: null, body: "served" })
    }).pipe(Effect.scoped)
  )

  it.live("a slow body is cut at REQUEST_TIMEOUT_MS with 408, and the server keeps serving", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ REQUEST_TIMEOUT_MS: "300", HEADERS_TIMEOUT_MS: "300" })
      const slow = yield* rawClient(site.port)
      slow.socket.write(
        'POST /phoenix_kit/sync/api/verify-connection HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"sender'
      )
      const answer = yield* Deferred.await(slow.closed).pipe(within("the server to cut the slow body"))
      assert.match(answer, /^HTTP\/1\.1 408 /)

      const headersOnly = yield* rawClient(site.port)
      headersOnly.socket.write("GET /health HTTP/1.1\r\nHost: x\r\n")
      assert.match(
        yield* Deferred.await(headersOnly.closed).pipe(within("the server to cut the headers")),
        /^HTTP\/1\.1 408 /
      )

      const health = yield* Effect.promise(() => fetch(`${site.siteUrl}/health`).then((r) => r.status))
      assert.strictEqual(health, 200)
    }).pipe(Effect.scoped)
  )

  it.live("past MAX_CONNECTIONS a new socket is closed at once; a freed slot serves again", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ MAX_CONNECTIONS: "2" })
      const first = yield* rawClient(site.port)
      yield* rawClient(site.port)
      const third = yield* rawClient(site.port)
      third.socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
      assert.strictEqual(yield* Deferred.await(third.closed).pipe(within("the third socket to be closed")), "")

      first.socket.destroy()
      yield* Deferred.await(first.closed)
      const health = yield* Effect.promise(() =>
        fetch(`${site.siteUrl}/health`, { headers: { connection: "close" } }).then((r) => r.status)
      )
      assert.strictEqual(health, 200)
    }).pipe(Effect.scoped)
  )

  it.scoped("HEADERS_TIMEOUT_MS above REQUEST_TIMEOUT_MS is refused at start, naming it", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(tryStartSite({ HEADERS_TIMEOUT_MS: "20000" }))
      assert.include(String(error), "HEADERS_TIMEOUT_MS (20000) must not exceed REQUEST_TIMEOUT_MS (10000)")
    })
  )
})
