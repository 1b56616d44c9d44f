import { assert } from "@effect/vitest"
import { Effect, Layer, Redacted, TestServices } from "effect"
import { Connections } from "../../src/Connections.js"
import * as Token from "../../src/Domain/Token.js"
import { PeerHttpClientLive } from "../../src/Peer/Transport.js"
import { Services, type Swaps } from "../../src/Server.js"
import { turns, within } from "./Clients.js"
import { SqlTest, withConfig } from "./Db.js"
import * as FakeSite from "./FakeSite.js"

// The watcher over the app's own layers, a real SQLite file and the real peer transport, without HTTP server;
// `swaps` replaces services by their test layers (LastKnown.Test, PeerClient.Test)
export const watcherLayer = (config: Record<string, string> = {}, sql = SqlTest, swaps: Swaps = {}) =>
  Services(Layer.mergeAll(sql, PeerHttpClientLive), swaps).pipe(
    Layer.provide(withConfig({ SITE_URL: "https://me.example.com", ALLOW_INTERNAL_URLS: "true", ...config }))
  )

export const receiver = (siteUrl: string, token: string) =>
  Effect.flatMap(Connections, (connections) =>
    connections.create({ name: "r", direction: "receiver", siteUrl, authToken: Redacted.make(token) })
  ).pipe(
    Effect.map(({ connection }) => connection),
    Effect.orDie
  )

export const registeredSender = (siteUrl: string, token: string) =>
  Effect.flatMap(Connections, (connections) =>
    connections.create({
      name: "s",
      direction: "sender",
      siteUrl,
      authToken: Redacted.make(token),
      status: "active",
      metadata: {
        remote_notification: {
          notified_at: "2026-05-13T10:00:00Z",
          notification_success: true,
          notification_status: "registered",
          notification_message: null,
          remote_connection_uuid: null,
          http_status: 200
        }
      }
    })
  ).pipe(
    Effect.map(({ connection }) => connection),
    Effect.orDie
  )

// The severing cases' five remotes (cases 60, 63), each a sender of ours: one that knows us, one that does not
// (`missing`), one with no route, one whose sync module is down, one closed port. Tokens s1 to s5.
export const severingSenders = Effect.gen(function* () {
  const knows = yield* FakeSite.make(FakeSite.json(200, { success: true, exists: true }))
  const missing = yield* FakeSite.make(FakeSite.json(404, { success: false, exists: false }))
  const noRoute = yield* FakeSite.make(FakeSite.text(404, "<html>no route</html>"))
  const down = yield* FakeSite.make(FakeSite.json(503, { success: false, error: "DB Sync module is disabled" }))
  const port = yield* FakeSite.closedPort
  const senders = yield* Effect.all([
    registeredSender(knows.url, "s1"),
    registeredSender(missing.url, "s2"),
    registeredSender(noRoute.url, "s3"),
    registeredSender(down.url, "s4"),
    registeredSender(`http://127.0.0.1:${port}`, "s5")
  ])
  return { senders, missing }
})

// no log line carries a token of the severing cases, or its hash
export const assertNoSeveringSecret = (lines: ReadonlyArray<string>) => {
  const hashes = ["s1", "s2", "s3", "s4", "s5"].map((t) => Redacted.value(Token.hash(Redacted.make(t))))
  for (const line of lines) for (const secret of [...hashes, "s1", "s2"]) assert.notInclude(line, `"${secret}`)
}

// polls a condition between event-loop turns, guarded on the real clock (the test's own is the TestClock)
export const until = (what: string, condition: Effect.Effect<boolean>) =>
  TestServices.provideLive(
    Effect.gen(function* () {
      while (!(yield* condition)) yield* turns()
    }).pipe(within(what, "60 seconds"))
  )
