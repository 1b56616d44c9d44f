import * as Net from "node:net"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, FiberId } from "effect"
import type { FastProbe } from "../src/Health.js"
import { createClosableServer } from "../src/Server.js"
import { startSite, tryStartSite } from "./utils/App.js"
import { within } from "./utils/Clients.js"

// A raw client socket: what it was sent, and when the server closed it.
const rawClient = (port: number, localAddress = "127.0.0.1") =>
  Effect.gen(function* () {
    const closed = yield* Deferred.make<string>()
    let received = ""
    const socket = yield* Effect.acquireRelease(
      Effect.async<Net.Socket>((resume) => {
        const socket = Net.connect({ port, host: "127.0.0.1", localAddress }, () => resume(Effect.succeed(socket)))
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

// a server of 1-second timeouts and 10 connections, `perAddress` of them from one address
const smallServer = (perAddress: number) =>
  createClosableServer({
    headersTimeoutMs: 1000,
    requestTimeoutMs: 1000,
    maxConnections: 10,
    maxConnectionsPerAddress: perAddress,
    trustProxy: false
  })

describe("server timeouts and connection limits", () => {
  it.live("a request before the app's handler is attached gets 503 with Retry-After, then the app answers", () =>
    Effect.gen(function* () {
      const server = smallServer(10)
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

  it.live("with a probe's slot filled, GET /health is the probe's once the app is attached; the rest the app's", () =>
    Effect.gen(function* () {
      const probe: FastProbe = { answer: (response) => void response.end("probed") }
      const server = createClosableServer(
        {
          headersTimeoutMs: 1000,
          requestTimeoutMs: 1000,
          maxConnections: 10,
          maxConnectionsPerAddress: 10,
          trustProxy: false
        },
        probe
      )
      yield* Effect.acquireRelease(
        Effect.async<void>((resume) => {
          server.listen(0, "127.0.0.1", () => resume(Effect.void))
        }),
        () => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
      )
      const { port } = server.address() as Net.AddressInfo
      const ask = (path: string, method = "GET") =>
        Effect.promise(() =>
          fetch(`http://127.0.0.1:${port}${path}`, { method }).then(async (response) => ({
            status: response.status,
            body: await response.text()
          }))
        ).pipe(within(`an answer to ${method} ${path}`))
      // starting: the app is not up, so neither is the probe
      assert.strictEqual((yield* ask("/health")).status, 503)
      server.on("request", (_request, response) => response.end("served"))
      assert.deepStrictEqual(yield* ask("/health"), { status: 200, body: "probed" })
      for (const [path, method] of [
        ["/health?x=1", "GET"],
        ["/health", "POST"],
        ["/", "GET"]
      ] as const) {
        assert.deepStrictEqual(yield* ask(path, method), { status: 200, body: "served" })
      }
      probe.answer = undefined
      assert.deepStrictEqual(yield* ask("/health"), { status: 200, body: "served" })
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

  it.live(
    "past MAX_CONNECTIONS_PER_ADDRESS a socket from that address is closed at once; another address is served",
    () =>
      Effect.gen(function* () {
        const site = yield* startSite({ MAX_CONNECTIONS_PER_ADDRESS: "2" })
        yield* rawClient(site.port)
        yield* rawClient(site.port)
        const third = yield* rawClient(site.port)
        third.socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert.strictEqual(yield* Deferred.await(third.closed).pipe(within("the third socket to be closed")), "")

        const other = yield* rawClient(site.port, "127.0.0.2")
        other.socket.write("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert.match(yield* Deferred.await(other.closed).pipe(within("an answer to 127.0.0.2")), /^HTTP\/1\.1 200 /)
      }).pipe(Effect.scoped)
  )

  it.live("an address's closed socket frees its place under MAX_CONNECTIONS_PER_ADDRESS", () =>
    Effect.gen(function* () {
      const server = smallServer(1)
      server.on("request", (_request, response) => response.end("served"))
      // the server's side of each socket, by the client's port: its close has released the place
      const closedOnServer = new Map<number, Deferred.Deferred<void>>()
      server.on("connection", (socket: Net.Socket) => {
        const closed = Deferred.unsafeMake<void>(FiberId.none)
        closedOnServer.set(socket.remotePort ?? 0, closed)
        socket.once("close", () => Deferred.unsafeDone(closed, Exit.void))
      })
      yield* Effect.acquireRelease(
        Effect.async<void>((resume) => {
          server.listen(0, "127.0.0.1", () => resume(Effect.void))
        }),
        () => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
      )
      const { port } = server.address() as Net.AddressInfo
      const ask = (client: Effect.Effect.Success<ReturnType<typeof rawClient>>) => {
        client.socket.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        return Deferred.await(client.closed).pipe(within("the socket to be answered or closed"))
      }

      const first = yield* rawClient(port)
      assert.strictEqual(yield* ask(yield* rawClient(port)), "")
      const closed = closedOnServer.get(first.socket.localPort ?? 0)
      assert.isDefined(closed)
      assert.match(yield* ask(first), /^HTTP\/1\.1 200 .*served$/s)
      yield* Deferred.await(closed!).pipe(within("the server to close the first socket"))
      assert.match(yield* ask(yield* rawClient(port)), /^HTTP\/1\.1 200 .*served$/s)
    }).pipe(Effect.scoped)
  )

  it.live("under TRUST_PROXY sockets are not capped per address; requests are, per X-Forwarded-For client", () =>
    Effect.gen(function* () {
      const site = yield* startSite({ MAX_CONNECTIONS_PER_ADDRESS: "2", TRUST_PROXY: "true" })
      // two requests of 10.0.0.1 in flight: headers read (100 Continue), body never sent
      for (let i = 0; i < 2; i++) {
        const holding = yield* rawClient(site.port)
        const continued = yield* Deferred.make<void>()
        holding.socket.on("data", (chunk) => {
          if (chunk.toString("utf8").startsWith("HTTP/1.1 100 ")) Deferred.unsafeDone(continued, Exit.void)
        })
        holding.socket.write(
          "POST /phoenix_kit/sync/api/verify-connection HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 10.0.0.1\r\nExpect: 100-continue\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n"
        )
        yield* Deferred.await(continued).pipe(within("the server to read the headers"))
      }
      const health = (forwardedFor: string) =>
        Effect.gen(function* () {
          const client = yield* rawClient(site.port)
          client.socket.write(
            `GET /health HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: ${forwardedFor}\r\nConnection: close\r\n\r\n`
          )
          return yield* Deferred.await(client.closed).pipe(within(`an answer for ${forwardedFor}`))
        })
      const refused = yield* health("10.0.0.1")
      assert.match(refused, /^HTTP\/1\.1 429 .*retry-after: 1/is)
      assert.include(refused, '{"error":"Too many connections from this address"}')
      assert.match(yield* health("10.0.0.2, 10.0.0.1"), /^HTTP\/1\.1 200 /)
    }).pipe(Effect.scoped)
  )

  it.scoped(
    "MAX_CONNECTIONS_PER_ADDRESS must be positive and not above MAX_CONNECTIONS, refused at start naming it",
    () =>
      Effect.gen(function* () {
        assert.include(
          String(yield* Effect.flip(tryStartSite({ MAX_CONNECTIONS_PER_ADDRESS: "0" }))),
          'MAX_CONNECTIONS_PER_ADDRESS must be an integer >= 1 (sockets per client address); received "0"'
        )
        assert.include(
          String(yield* Effect.flip(tryStartSite({ MAX_CONNECTIONS: "10", MAX_CONNECTIONS_PER_ADDRESS: "11" }))),
          "MAX_CONNECTIONS_PER_ADDRESS (11) must not exceed MAX_CONNECTIONS (10)"
        )
      })
  )

  it.scoped("HEADERS_TIMEOUT_MS above REQUEST_TIMEOUT_MS is refused at start, naming it", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(tryStartSite({ HEADERS_TIMEOUT_MS: "20000" }))
      assert.include(String(error), "HEADERS_TIMEOUT_MS (20000) must not exceed REQUEST_TIMEOUT_MS (10000)")
    })
  )
})
