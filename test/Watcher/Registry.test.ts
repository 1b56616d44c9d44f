import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Layer, Stream, TestClock } from "effect"
import { Connections } from "../../src/Connections.js"
import { History } from "../../src/History.js"
import { LastKnown } from "../../src/LastKnown.js"
import { Maintenances } from "../../src/Maintenance.js"
import { Owners } from "../../src/Owners.js"
import { PeerClient } from "../../src/Peer/Client.js"
import { PeerHttpClientLive } from "../../src/Peer/Transport.js"
import { Rollups } from "../../src/Rollups.js"
import { SiteConfig } from "../../src/SiteConfig.js"
import { StatusChecks } from "../../src/StatusChecks.js"
import { Watcher } from "../../src/Watcher.js"
import { SqlTest, withConfig } from "../utils/Db.js"
import * as FakeSite from "../utils/FakeSite.js"
import { receiver, watcherLayer } from "../utils/Watcher.js"

// the real registry, with a count of every full read of the table
const countingLayer = (counter: { lists: number }) => {
  const counting = Layer.effect(
    Connections,
    Effect.map(Connections, (connections) =>
      Connections.of({
        ...connections,
        list: (filter) =>
          Effect.suspend(() => {
            counter.lists++
            return connections.list(filter)
          })
      })
    )
  )
  return Watcher.Default.pipe(
    Layer.provideMerge(Owners.Local),
    Layer.provideMerge(StatusChecks.Default),
    Layer.provideMerge(LastKnown.Default),
    Layer.provideMerge(Rollups.Default),
    Layer.provideMerge(Maintenances.Default),
    Layer.provideMerge(History.Default),
    Layer.provideMerge(counting),
    Layer.provideMerge(Layer.mergeAll(Connections.Default, PeerClient.Default, SiteConfig.Default)),
    Layer.provideMerge(Layer.mergeAll(SqlTest, PeerHttpClientLive)),
    Layer.provide(withConfig({ SITE_URL: "https://me.example.com", ALLOW_INTERNAL_URLS: "true" }))
  )
}

const roundOf = (watcher: Watcher) =>
  Effect.map(Stream.runCollect(watcher.statusEvents()), (events) =>
    Chunk.toArray(events).flatMap((e) => (e._tag === "SenderStatusFetched" ? [e.connectionUuid as string] : []))
  )

describe("the registry in memory (G5)", () => {
  const counter = { lists: 0 }
  it.live("rounds and queries never re-read the table; the change feed keeps the view current", () =>
    Effect.gen(function* () {
      const remote = yield* FakeSite.make(FakeSite.json(200, { success: true, status: "active", name: "n" }))
      const watcher = yield* Watcher
      const connections = yield* Connections
      const a = yield* receiver(`${remote.url}/a`, "ta")
      const b = yield* receiver(`${remote.url}/b`, "tb")
      const readsAtStart = counter.lists
      for (let i = 0; i < 20; i++) {
        assert.sameMembers(yield* roundOf(watcher), [a.uuid, b.uuid])
        yield* watcher.senderStatuses(undefined, 3600)
      }
      const c = yield* receiver(`${remote.url}/c`, "tc")
      assert.sameMembers(yield* roundOf(watcher), [a.uuid, b.uuid, c.uuid])
      yield* connections.delete(a.uuid)
      assert.sameMembers(yield* roundOf(watcher), [b.uuid, c.uuid])
      assert.isNull(yield* watcher.lastSenderStatus(a), "what was known of a deleted connection is forgotten")
      assert.isNotNull(yield* watcher.lastSenderStatus(b))
      assert.strictEqual(counter.lists, readsAtStart, "no full read of the table after start-up")
      assert.strictEqual(readsAtStart, 1)
    }).pipe(Effect.scoped, Effect.provide(countingLayer(counter)))
  )
})

describe("MONITOR_EVERY_SECONDS", () => {
  it.scoped("runs rounds with nobody subscribed: history and last-known status fill unattended", () =>
    Effect.gen(function* () {
      const remote = yield* FakeSite.make(FakeSite.json(200, { success: true, status: "active", name: "n" }))
      const connection = yield* receiver(remote.url, "t1")
      const watcher = yield* Watcher
      const changes = yield* Effect.flatMap(History, (history) => history.subscribe)
      assert.lengthOf(yield* remote.requests, 0)
      yield* TestClock.adjust("11 seconds")
      const change = yield* changes.take
      assert.deepInclude(change, { connectionUuid: connection.uuid, from: null, to: "ACTIVE" })
      assert.strictEqual((yield* watcher.lastSenderStatus(connection))?.status, "active")
      assert.lengthOf(yield* remote.requests, 1)
    }).pipe(Effect.provide(watcherLayer({ MONITOR_EVERY_SECONDS: "10" })))
  )

  it.effect.each([
    ["MONITOR_EVERY_SECONDS", "-1"],
    ["MONITOR_EVERY_SECONDS", "1.5"],
    ["SEVER_AFTER", "0"],
    ["SEVER_BRAKE_PERCENT", "101"],
    ["SEVER_BRAKE_PERCENT", "half"]
  ])("%s=%s stops start-up naming it", ([name, value]) =>
    Effect.gen(function* () {
      const exit = yield* Layer.build(watcherLayer({ [name]: value })).pipe(Effect.scoped, Effect.exit)
      assert.isTrue(exit._tag === "Failure" && JSON.stringify(exit.cause).includes(name))
    })
  )
})
