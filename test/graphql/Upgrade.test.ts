import * as Net from "node:net"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Scope, TestClock } from "effect"
import WebSocket from "ws"
import { startSite } from "../utils/App.js"
import { within, wsClient, wsSubscribe } from "../utils/Clients.js"

// one raw HTTP request on its own connection; its status line, once the server has answered and closed
const rawRequest = (port: number, head: string) =>
  Effect.async<string>((resume) => {
    const socket = Net.connect(port, "127.0.0.1", () => socket.write(head))
    let data = ""
    socket.on("data", (chunk) => {
      data += chunk
    })
    socket.on("close", () => resume(Effect.succeed(data.split("\r\n")[0] ?? "")))
    socket.on("error", () => undefined)
    return Effect.sync(() => socket.destroy())
  })

const upgrade = (port: number, method: string, headers: string) =>
  rawRequest(
    port,
    `${method} /graphql HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${headers}\r\n`
  )

describe("WebSocket upgrades ws refuses", () => {
  // ws answered these by destroying the socket without calling back: each request's fiber waited for an upgrade
  // that never came, and the shutdown waited for those fibers
  it.live(
    "without Sec-WebSocket-Key (400), by POST (405), bad version (400): answered, and the site still shuts down",
    () =>
      Effect.gen(function* () {
        const siteScope = yield* Scope.make()
        const site = yield* startSite().pipe(Scope.extend(siteScope))
        assert.match(yield* upgrade(site.port, "GET", "").pipe(within("no key")), /^HTTP\/1.1 400/)
        assert.match(
          yield* upgrade(site.port, "POST", "Content-Length: 0\r\n").pipe(within("a POST")),
          /^HTTP\/1.1 405/
        )
        const key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        assert.match(
          yield* upgrade(site.port, "GET", `${key}Sec-WebSocket-Version: 7\r\n`).pipe(within("v7")),
          /^HTTP\/1.1 400/
        )
        const health = yield* Effect.promise(() => fetch(`${site.siteUrl}/health`).then((r) => r.status))
        assert.strictEqual(health, 200)
        yield* Scope.close(siteScope, Exit.void).pipe(Effect.disconnect, within("shutdown"))
      })
  )
})

describe("sockets that never send connection_init", () => {
  it.scoped(
    "each is closed with 4408 after the init timeout (3 s on the server's Clock); another client's operations are answered",
    () =>
      Effect.gen(function* () {
        // the 1,000 idle sockets, the client and the test's own requests
        const site = yield* startSite({ MAX_CONNECTIONS: "1100", MAX_CONNECTIONS_PER_ADDRESS: "1100" })
        const client = yield* wsClient(site.port, {}, { lazy: false })
        const before = yield* wsSubscribe(client, "{ connections { uuid } }")
        assert.deepStrictEqual(yield* before.next.pipe(within("connections")), { data: { connections: [] } })
        const idle = 1000
        const opened = yield* Deferred.make<void>()
        const allClosed = yield* Deferred.make<void>()
        const codes = new Map<number, number>()
        let open = 0
        let closed = 0
        const sockets = Array.from({ length: idle }, () => {
          const socket = new WebSocket(`ws://127.0.0.1:${site.port}/graphql`, "graphql-transport-ws")
          socket.on("open", () => {
            if (++open === idle) Deferred.unsafeDone(opened, Exit.void)
          })
          socket.on("close", (code) => {
            codes.set(code, (codes.get(code) ?? 0) + 1)
            if (++closed === idle) Deferred.unsafeDone(allClosed, Exit.void)
          })
          socket.on("error", () => undefined)
          return socket
        })
        yield* Effect.addFinalizer(() =>
          Effect.sync(() => {
            for (const socket of sockets) socket.terminate()
          })
        )
        yield* Deferred.await(opened).pipe(Effect.timeout("60 seconds"), Effect.orDie)

        // while they hold their sockets, another client's operations are answered
        const listed = yield* wsSubscribe(client, "{ connections { uuid } }")
        assert.deepStrictEqual(yield* listed.next.pipe(within("connections")), { data: { connections: [] } })

        yield* TestClock.adjust("2999 millis")
        assert.strictEqual(closed, 0)
        yield* TestClock.adjust("1 millis")
        yield* Deferred.await(allClosed).pipe(Effect.timeout("60 seconds"), Effect.orDie)
        assert.deepStrictEqual([...codes], [[4408, idle]])
      }),
    { timeout: 150_000 }
  )
})
