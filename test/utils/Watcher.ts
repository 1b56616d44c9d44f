import { Effect, Layer, Redacted, TestServices } from "effect"
import { Alerts } from "../../src/Alerts.js"
import { Connections } from "../../src/Connections.js"
import { History } from "../../src/History.js"
import { LastKnown } from "../../src/LastKnown.js"
import { Maintenances } from "../../src/Maintenance.js"
import { PeerClient } from "../../src/Peer/Client.js"
import { PeerHttpClientLive } from "../../src/Peer/Transport.js"
import { Rollups } from "../../src/Rollups.js"
import { SiteConfig } from "../../src/SiteConfig.js"
import { StatusChecks } from "../../src/StatusChecks.js"
import { Watcher } from "../../src/Watcher.js"
import { turns, within } from "./Clients.js"
import { SqlTest, withConfig } from "./Db.js"

// The watcher over the app's own layers, a real SQLite file and the real peer transport, without HTTP server
export const watcherLayer = (config: Record<string, string> = {}, sql = SqlTest) =>
  Watcher.Default.pipe(
    Layer.provideMerge(StatusChecks.Default),
    Layer.provideMerge(LastKnown.Default),
    Layer.provideMerge(Alerts.Default),
    Layer.provideMerge(Rollups.Default),
    Layer.provideMerge(Maintenances.Default),
    Layer.provideMerge(History.Default),
    Layer.provideMerge(Layer.mergeAll(Connections.Default, PeerClient.Default, SiteConfig.Default)),
    Layer.provideMerge(Layer.mergeAll(sql, PeerHttpClientLive)),
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
