import { Effect, Layer, Redacted, TestServices } from "effect"
import { Connections } from "../../src/Connections.js"
import { PeerHttpClientLive } from "../../src/Peer/Transport.js"
import { Services } from "../../src/Server.js"
import { turns, within } from "./Clients.js"
import { SqlTest, withConfig } from "./Db.js"

// The watcher over the app's own layers, a real SQLite file and the real peer transport, without HTTP server
export const watcherLayer = (config: Record<string, string> = {}, sql = SqlTest) =>
  Services(Layer.mergeAll(sql, PeerHttpClientLive)).pipe(
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

// polls a condition between event-loop turns, guarded on the real clock (the test's own is the TestClock)
export const until = (what: string, condition: Effect.Effect<boolean>) =>
  TestServices.provideLive(
    Effect.gen(function* () {
      while (!(yield* condition)) yield* turns()
    }).pipe(within(what, "60 seconds"))
  )
