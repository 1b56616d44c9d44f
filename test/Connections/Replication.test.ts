import type { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Context, DateTime, Effect, Layer, Queue, type Scope, TestClock } from "effect"
import { Replication } from "../../src/Connections/Replication.js"
import { Connections, type ConnectionsApi } from "../../src/Connections.js"
import type { StoreKind } from "../../src/Db/Target.js"
import type { ConnectionChange } from "../../src/Domain/Events.js"
import { SharedRegistry } from "../../src/SharedRegistry.js"
import { withConfig } from "../utils/Db.js"
import { STORES } from "../utils/Stores.js"

const SELF = "https://self.example.com"
const T0 = "2026-05-13T10:00:00Z"

// Its ordering rules, on both stores: what the subscribers were told is never undone by an older read, and
// nothing they know is told twice
describe.each(STORES)("on $name", (store) => {
  describe("Replication.catchUp and received", () => {
    // `connections` keeps the view of a shared registry; `other` is another instance on the same store,
    // whose writes it is never told of (as while its LISTEN session is gone)
    const shared = <A, E>(
      name: string,
      body: (other: ConnectionsApi) => Effect.Effect<A, E, SqlClient.SqlClient | StoreKind | Scope.Scope>
    ) =>
      it.scoped(name, () =>
        Effect.gen(function* () {
          yield* TestClock.setTime(DateTime.toEpochMillis(DateTime.unsafeMake(T0)) + 500)
          const other = Context.get(yield* Layer.build(Connections.Default), Connections)
          return yield* body(other)
        }).pipe(Effect.provide(Layer.merge(store.layer, withConfig({ SITE_URL: SELF }))))
      )
    // this instance: the registry with its feed's view, and its replication (as Cluster/Relay.ts builds it)
    const viewing = Effect.map(
      Layer.build(
        Replication.layer.pipe(
          Layer.provideMerge(Connections.Default),
          Layer.provide(Layer.succeed(SharedRegistry, true))
        )
      ),
      (context) => ({ connections: Context.get(context, Connections), replication: Context.get(context, Replication) })
    )
    const described = (change: ConnectionChange) =>
      [change.kind, change.connectionUuid, change.connection?.status ?? null] as const

    shared("tells its subscribers what another instance wrote unheard, and nothing they know already", (other) =>
      Effect.gen(function* () {
        const before = yield* other.create({ name: "B", direction: "sender", siteUrl: "https://b.example.com" })
        const gone = yield* other.create({ name: "G", direction: "sender", siteUrl: "https://g.example.com" })
        const { connections, replication } = yield* viewing
        const changes = yield* connections.subscribe
        const own = yield* connections.create({ name: "O", direction: "sender", siteUrl: "https://o.example.com" })
        yield* connections.updateStatus(own.connection.uuid, "active")
        assert.strictEqual((yield* Queue.takeAll(changes)).length, 2)
        // what it read at start and what it wrote itself are known: nothing to tell
        assert.strictEqual(yield* replication.catchUp, 0)

        // the same second as the row's creation: updated_at is unchanged, the row is not
        const updated = yield* other.updateStatus(before.connection.uuid, "suspended")
        assert.isTrue(DateTime.Equivalence(updated.updatedAt, before.connection.updatedAt))
        const created = yield* other.create({ name: "N", direction: "sender", siteUrl: "https://n.example.com" })
        yield* other.delete(gone.connection.uuid)
        assert.strictEqual((yield* Queue.takeAll(changes)).length, 0)

        assert.strictEqual(yield* replication.catchUp, 3)
        assert.deepStrictEqual([...(yield* Queue.takeAll(changes))].map(described), [
          ["updated", before.connection.uuid, "suspended"],
          ["created", created.connection.uuid, "pending"],
          ["deleted", gone.connection.uuid, null]
        ])
        assert.strictEqual(yield* replication.catchUp, 0)
        assert.strictEqual((yield* Queue.takeAll(changes)).length, 0)
      })
    )

    shared("a change heard since is not told again", (other) =>
      Effect.gen(function* () {
        const { connections, replication } = yield* viewing
        const changes = yield* connections.subscribe
        const created = yield* other.create({ name: "N", direction: "sender", siteUrl: "https://n.example.com" })
        yield* replication.received("created", created.connection.uuid)
        yield* other.updateStatus(created.connection.uuid, "active")
        assert.strictEqual(yield* replication.catchUp, 1)
        assert.deepStrictEqual([...(yield* Queue.takeAll(changes))].map(described), [
          ["created", created.connection.uuid, "pending"],
          ["updated", created.connection.uuid, "active"]
        ])
      })
    )

    shared("a change heard twice, or already known, is told once", (other) =>
      Effect.gen(function* () {
        const { connections, replication } = yield* viewing
        const changes = yield* connections.subscribe
        const created = yield* other.create({ name: "N", direction: "sender", siteUrl: "https://n.example.com" })
        yield* replication.received("created", created.connection.uuid)
        yield* replication.received("created", created.connection.uuid)
        yield* other.updateStatus(created.connection.uuid, "active")
        yield* replication.received("updated", created.connection.uuid)
        yield* replication.received("updated", created.connection.uuid)
        assert.deepStrictEqual([...(yield* Queue.takeAll(changes))].map(described), [
          ["created", created.connection.uuid, "pending"],
          ["updated", created.connection.uuid, "active"]
        ])
      })
    )

    shared("a single instance keeps no view and has nothing to catch up with", (other) =>
      Effect.gen(function* () {
        const replication = Context.get(
          yield* Layer.build(Replication.layer.pipe(Layer.provideMerge(Connections.Default))),
          Replication
        )
        yield* other.create({ name: "N", direction: "sender", siteUrl: "https://n.example.com" })
        assert.strictEqual(yield* replication.catchUp, 0)
      })
    )
  })
})
