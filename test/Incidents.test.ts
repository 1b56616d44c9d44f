import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Exit, type Layer, Queue, Scope, TestClock } from "effect"
import { Connections } from "../src/Connections.js"
import type { Connection, ConnectionUuid } from "../src/Domain/Connection.js"
import { incidents } from "../src/Domain/Incidents.js"
import { StatusChange } from "../src/Domain/StatusChange.js"
import { History } from "../src/History.js"
import { Maintenances } from "../src/Maintenance.js"
import { Rollups } from "../src/Rollups.js"
import { Watcher } from "../src/Watcher.js"
import { sqlAt } from "./utils/Db.js"
import * as FakeSite from "./utils/FakeSite.js"
import { STORES } from "./utils/Stores.js"
import { switchable } from "./utils/Switchable.js"
import { receiver, watcherLayer } from "./utils/Watcher.js"
import * as Receiver from "./utils/WebhookReceiver.js"

const SECRET = "webhook-secret-for-tests"
const active = FakeSite.json(200, { success: true, status: "active", name: "n" })
const withWebhook = (url: string, extra: Record<string, string> = {}) =>
  watcherLayer({ ALERT_WEBHOOK_URL: url, ALERT_WEBHOOK_SECRET: SECRET, ...extra })

// a receiver whose remote the test switches up and down, the watcher, and the webhook's deliveries, under `config`
const downUnder = <A, E>(
  config: Record<string, string>,
  use: (env: {
    readonly hook: Effect.Effect.Success<ReturnType<typeof Receiver.make>>
    readonly remote: Effect.Effect.Success<typeof switchable>
    readonly connection: Connection
    readonly watcher: Watcher
  }) => Effect.Effect<A, E, Layer.Layer.Success<ReturnType<typeof withWebhook>> | Scope.Scope>
) =>
  Effect.gen(function* () {
    const hook = yield* Receiver.make(SECRET)
    return yield* Effect.gen(function* () {
      const remote = yield* switchable
      const connection = yield* receiver(remote.url, "t1")
      const watcher = yield* Watcher
      return yield* use({ hook, remote, connection, watcher })
    }).pipe(Effect.scoped, Effect.provide(withWebhook(hook.url, config)))
  })

const change = (n: number, to: string) =>
  new StatusChange({
    connectionUuid: `01900000-0000-7000-8000-${String(n).padStart(12, "0")}` as ConnectionUuid,
    at: DateTime.unsafeMake(0),
    from: "ACTIVE",
    to,
    reason: null
  })

describe("one alert per incident (Domain/Incidents)", () => {
  const hosts = ["a.example.com", "a.example.com", "b.example.com", null, null]
  const hostOf = (c: StatusChange) => hosts[Number(c.connectionUuid.slice(-2))] ?? null
  it.each([
    // [changes' outcomes, checked, expected incidents as tag:host:count]
    [["OFFLINE", "OFFLINE", "OFFLINE"], 4, ["OurSide:-:3"]],
    [["OFFLINE", "OFFLINE"], 4, ["Host:a.example.com:2"]],
    [["OFFLINE", "OFFLINE", "OFFLINE"], 3, ["Host:a.example.com:2", "Host:b.example.com:1"]],
    [
      ["ERROR", "ERROR", "ERROR", "ERROR", "ERROR"],
      5,
      ["Host:a.example.com:2", "Host:b.example.com:1", "Host:-:1", "Host:-:1"]
    ],
    [[], 10, []]
  ] as const)("%j of %i checked", (outcomes, checked, expected) => {
    const found = incidents(
      outcomes.map((to, i) => change(i, to)),
      checked,
      50,
      hostOf
    )
    assert.deepStrictEqual(
      found.map((i) => `${i._tag}:${i._tag === "Host" ? (i.host ?? "-") : "-"}:${i.changes.length}`),
      [...expected] as Array<string>
    )
  })
})

describe("alerts on the TestClock", () => {
  it.scoped("ten connections turning OFFLINE in one round make one delivery: probably our side", () =>
    Effect.gen(function* () {
      const hook = yield* Receiver.make(SECRET)
      yield* Effect.gen(function* () {
        const sites = yield* Scope.make()
        for (let i = 0; i < 10; i++) {
          const remote = yield* FakeSite.make(active).pipe(Scope.extend(sites))
          yield* receiver(remote.url, `t${i}`)
        }
        const watcher = yield* Watcher
        yield* watcher.senderStatuses()
        const first = yield* Queue.take(hook.deliveries)
        assert.strictEqual(first.body.type, "connection.status_changed")
        assert.lengthOf(first.body.data.changes, 10, "ten sites on one host: one delivery")
        // every remote gone at once: their ports refuse (OFFLINE)
        yield* Scope.close(sites, Exit.void)
        yield* TestClock.adjust("1 minute")
        const offline = yield* watcher.senderStatuses()
        assert.deepStrictEqual(
          offline.map((s) => s.status),
          Array(10).fill("offline")
        )
        const second = yield* Queue.take(hook.deliveries)
        assert.strictEqual(second.body.type, "connections.probably_our_side")
        assert.include(second.body.data.likelyCause, "our network")
        assert.deepStrictEqual([second.body.data.checked, second.body.data.offline], [10, 10])
        assert.lengthOf(second.body.data.changes, 10)
        assert.strictEqual(yield* Receiver.nothingMore(hook.deliveries), 0, "one delivery for the round")
        // statusChanged is unchanged: one history row per connection
        const history = yield* History
        const rows = yield* Effect.forEach(offline, (s) => history.latest(s.connectionUuid, 1))
        assert.deepStrictEqual(
          rows.map(([row]) => row?.to),
          Array(10).fill("OFFLINE")
        )
      }).pipe(Effect.scoped, Effect.provide(withWebhook(hook.url)))
    })
  )

  it.scoped("CONFIRM_AFTER=3 ignores two flaps and records the third check in a row", () =>
    downUnder({ CONFIRM_AFTER: "3" }, ({ hook, remote, connection, watcher }) =>
      Effect.gen(function* () {
        const history = yield* History
        const seen: Array<string> = []
        for (const up of [true, false, true, false, false, true, false, false]) {
          remote.state.up = up
          const [status] = yield* watcher.senderStatuses()
          seen.push((yield* watcher.lastSenderStatus(connection))?.status ?? "none")
          assert.strictEqual(status?.status, seen.at(-1), "last-known shows the latest check")
          yield* TestClock.adjust("1 minute")
        }
        assert.deepStrictEqual(seen, ["active", "error", "active", "error", "error", "active", "error", "error"])
        assert.deepStrictEqual(
          (yield* history.latest(connection.uuid)).map((c) => c.to),
          ["ACTIVE"],
          "two flaps (one and two checks): nothing recorded"
        )
        remote.state.up = false
        yield* watcher.senderStatuses()
        assert.deepStrictEqual(
          (yield* history.latest(connection.uuid)).map((c) => [c.from, c.to]),
          [
            ["ACTIVE", "ERROR"],
            [null, "ACTIVE"]
          ]
        )
        const told = [yield* Queue.take(hook.deliveries), yield* Queue.take(hook.deliveries)]
        assert.deepStrictEqual(
          told.map((d) => d.body.data.changes.map((c: { to: string }) => c.to)),
          [["ACTIVE"], ["ERROR"]]
        )
        assert.strictEqual(yield* Receiver.nothingMore(hook.deliveries), 0)
      })
    )
  )

  it.scoped.each(STORES)(
    "CONFIRM_AFTER=3 across a restart ($name): an unconfirmed change is not taken as recorded",
    (store) =>
      Effect.gen(function* () {
        const url = yield* store.databaseUrl
        const remote = yield* switchable
        const layer = watcherLayer({ CONFIRM_AFTER: "3" }, sqlAt(url))
        const uuid = yield* Effect.gen(function* () {
          const connection = yield* receiver(remote.url, "t1")
          const watcher = yield* Watcher
          yield* watcher.senderStatuses()
          remote.state.up = false
          yield* watcher.senderStatuses()
          return connection.uuid
        }).pipe(Effect.scoped, Effect.provide(layer))
        // restarted: the last result is the unconfirmed ERROR; the history's ACTIVE is what was recorded
        const rows = yield* Effect.gen(function* () {
          const watcher = yield* Watcher
          remote.state.up = true
          yield* watcher.senderStatuses()
          remote.state.up = false
          for (let i = 0; i < 3; i++) yield* watcher.senderStatuses()
          return yield* (yield* History).latest(uuid)
        }).pipe(Effect.scoped, Effect.provide(layer))
        assert.deepStrictEqual(
          rows.map((c) => [c.from, c.to]),
          [
            ["ACTIVE", "ERROR"],
            [null, "ACTIVE"]
          ]
        )
      })
  )

  it.scoped("ALERT_REPEAT_MINUTES reminds while a connection stays bad, and stops once it is back", () =>
    downUnder({ ALERT_REPEAT_MINUTES: "5" }, ({ hook, remote, watcher }) =>
      Effect.gen(function* () {
        const types: Array<string> = []
        const minute = (up: boolean) =>
          Effect.gen(function* () {
            remote.state.up = up
            yield* watcher.senderStatuses()
            while ((yield* Queue.size(hook.deliveries)) > 0 || (yield* Receiver.nothingMore(hook.deliveries)) > 0) {
              types.push((yield* Queue.take(hook.deliveries)).body.type)
            }
            yield* TestClock.adjust("1 minute")
          })
        yield* minute(true)
        for (let i = 0; i < 11; i++) yield* minute(false)
        yield* minute(true)
        for (let i = 0; i < 6; i++) yield* minute(true)
        assert.deepStrictEqual(types, [
          "connection.status_changed",
          "connection.status_changed",
          "connection.still_down",
          "connection.still_down",
          "connection.status_changed"
        ])
      })
    )
  )

  it.scoped("no reminder for a connection deleted while it was down", () =>
    downUnder({ ALERT_REPEAT_MINUTES: "5" }, ({ hook, remote, connection, watcher }) =>
      Effect.gen(function* () {
        remote.state.up = false
        yield* watcher.senderStatuses()
        assert.strictEqual((yield* Queue.take(hook.deliveries)).body.type, "connection.status_changed")
        yield* (yield* Connections).delete(connection.uuid)
        yield* TestClock.adjust("6 minutes")
        yield* (yield* History).settle(0)
        assert.strictEqual(yield* Receiver.nothingMore(hook.deliveries), 0)
      })
    )
  )

  it.scoped("a maintenance window silences alerts and leaves uptime at 1.0; checks and history go on", () =>
    downUnder({ ALERT_REPEAT_MINUTES: "5" }, ({ hook, remote, connection, watcher }) =>
      Effect.gen(function* () {
        const history = yield* History
        const rollups = yield* Rollups
        yield* watcher.senderStatuses()
        yield* Queue.take(hook.deliveries)
        const window = yield* (yield* Maintenances).create({
          uuids: [connection.uuid],
          startsAt: "1970-01-01T00:10:00Z",
          endsAt: "1970-01-01T02:00:00Z",
          reason: "migrating the other site"
        })
        yield* TestClock.adjust("10 minutes")
        remote.state.up = false
        for (let i = 0; i < 6; i++) {
          yield* watcher.senderStatuses()
          yield* TestClock.adjust("10 minutes")
        }
        assert.strictEqual(yield* Receiver.nothingMore(hook.deliveries), 0, "no alert during the window")
        assert.deepStrictEqual(
          (yield* history.latest(connection.uuid)).map((c) => c.to),
          ["ERROR", "ACTIVE"],
          "history goes on"
        )
        assert.strictEqual(yield* rollups.uptime(connection.uuid, "day"), 1)
        const [today] = yield* rollups.daily(connection.uuid, 1)
        assert.deepStrictEqual([today?.checks, today?.healthy, today?.maintenance], [1, 1, 6])
        assert.strictEqual(window.reason, "migrating the other site")
      })
    )
  )
})
