import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import * as HttpLayerRouter from "@effect/platform/HttpLayerRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Exit, Layer, Scope } from "effect"
import { Connections } from "../src/Connections.js"
import { StoreKind } from "../src/Db/Target.js"
import * as Health from "../src/Health.js"
import * as Tracing from "../src/Tracing.js"
import { startSite } from "./utils/App.js"
import { peekAt, sqlAt, tempDir, withConfig } from "./utils/Db.js"
import { smallDisk } from "./utils/FullDisk.js"
import { captureLogs } from "./utils/Logs.js"

// A database that opened but refuses writes. As root, chmod cannot make a file read-only here, so the
// connection itself is opened read-only: the same SQLITE_READONLY on every write.

const migrated = Effect.gen(function* () {
  const file = join(yield* tempDir, "store.db")
  yield* Effect.scoped(Layer.build(sqlAt(file)))
  return file
})

const readOnly = (file: string) => SqliteClient.layer({ filename: file, readonly: true }).pipe(Layer.orDie)

// the /health route alone, on a real socket, over the given store
const healthAt = (file: string) =>
  Effect.gen(function* () {
    const context = yield* Layer.build(
      HttpLayerRouter.serve(Health.RouteLive, { disableLogger: true, disableListenLog: true }).pipe(
        Layer.provide([readOnly(file), Layer.succeed(StoreKind, "sqlite")]),
        Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))
      )
    )
    const { address } = yield* Effect.provide(HttpServer.HttpServer, context)
    return address._tag === "TcpAddress" ? `http://127.0.0.1:${address.port}/health` : ""
  })

const probe = (url: string) =>
  Effect.promise(async () => {
    const response = await fetch(url)
    return { status: response.status, body: (await response.json()) as unknown }
  })

describe("/health", () => {
  it.live("a site with a healthy store answers 200 ok", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      assert.deepStrictEqual(yield* probe(`${site.siteUrl}/health`), { status: 200, body: { status: "ok" } })
    }).pipe(Effect.scoped)
  )

  it.live("a store that refuses writes answers 503 unavailable and no more; the reason is logged, once", () =>
    Effect.gen(function* () {
      const logs = captureLogs()
      const url = yield* healthAt(yield* migrated).pipe(Effect.provide(logs.layer))
      for (let i = 0; i < 3; i++) {
        assert.deepStrictEqual(yield* probe(url), { status: 503, body: { status: "unavailable" } })
      }
      const told = logs.lines.filter((line) => line.includes("Health"))
      assert.lengthOf(told, 1, told.join("\n"))
      assert.include(told[0], "ERROR Health: unavailable: the database refuses writes: SQLITE_READONLY")
    }).pipe(Effect.scoped)
  )

  it.live("a file without the connections table answers 503: the table is read, not only SELECT 1", () =>
    Effect.gen(function* () {
      const logs = captureLogs()
      const file = join(yield* tempDir, "empty.db")
      yield* Effect.scoped(Layer.build(SqliteClient.layer({ filename: file })))
      const url = yield* healthAt(file).pipe(Effect.provide(logs.layer))
      assert.deepStrictEqual(yield* probe(url), { status: 503, body: { status: "unavailable" } })
      assert.isTrue(
        logs.lines.some((line) => line.includes("Health: unavailable: the connections table cannot be read")),
        logs.lines.join("\n")
      )
    }).pipe(Effect.scoped)
  )

  // a write that changes nothing needs no space: only a probe that writes sees the disk is full
  it.live("a store on a full disk answers 503, and 200 again once there is space", () =>
    Effect.gen(function* () {
      const disk = yield* smallDisk()
      const site = yield* startSite({ DATABASE_URL: join(disk.dir, "syncwatch.db") })
      const health = `${site.siteUrl}/health`
      assert.deepStrictEqual(yield* probe(health), { status: 200, body: { status: "ok" } })
      yield* disk.fill
      assert.deepStrictEqual(yield* probe(health), { status: 503, body: { status: "unavailable" } })
      assert.deepStrictEqual(yield* probe(health), { status: 503, body: { status: "unavailable" } })
      yield* disk.free
      assert.deepStrictEqual(yield* probe(health), { status: 200, body: { status: "ok" } })
    }).pipe(Effect.scoped)
  )

  it.live("the probe overwrites one heartbeat row: the table does not grow", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      for (let i = 0; i < 3; i++) assert.strictEqual((yield* probe(`${site.siteUrl}/health`)).status, 200)
      const rows = yield* Effect.flatMap(SqlClient.SqlClient, (sql) => sql`SELECT id FROM health_heartbeat`).pipe(
        Effect.provide(peekAt(site.databaseUrl))
      )
      assert.deepStrictEqual(rows, [{ id: 1 }])
    }).pipe(Effect.scoped)
  )
})

describe("/health before the platform (Health.FastProbeSlot)", () => {
  const slotted = (file: string, tracing: boolean) =>
    Effect.gen(function* () {
      const slot: Health.FastProbe = { answer: undefined }
      const scope = yield* Scope.make()
      yield* Layer.buildWithScope(
        HttpLayerRouter.serve(Health.RouteLive, { disableLogger: true, disableListenLog: true }).pipe(
          Layer.provide([
            sqlAt(file),
            Layer.succeed(StoreKind, "sqlite"),
            Layer.succeed(Health.FastProbeSlot, slot),
            Layer.succeed(Tracing.Enabled, tracing)
          ]),
          Layer.provide(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))
        ),
        scope
      )
      return { slot, scope }
    })

  it.live("the route fills its server's slot with the same probe while the app is up, and empties it after", () =>
    Effect.gen(function* () {
      const { slot, scope } = yield* slotted(yield* migrated, false)
      assert.isDefined(slot.answer)
      const server = createServer((_, response) => slot.answer!(response))
      yield* Effect.async<void>((resume) => void server.listen(0, "127.0.0.1", () => resume(Effect.void)))
      const { port } = server.address() as AddressInfo
      const response = yield* Effect.promise(() => fetch(`http://127.0.0.1:${port}/health`))
      assert.strictEqual(response.status, 200)
      assert.strictEqual(response.headers.get("content-type"), "application/json")
      assert.deepStrictEqual(yield* Effect.promise(() => response.json()), { status: "ok" })
      yield* Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
      yield* Scope.close(scope, Exit.void)
      assert.isUndefined(slot.answer)
    }).pipe(Effect.scoped)
  )

  it.live("while spans are exported the slot stays empty: the platform's server span stays the probe's", () =>
    Effect.gen(function* () {
      const { slot, scope } = yield* slotted(yield* migrated, true)
      assert.isUndefined(slot.answer)
      yield* Scope.close(scope, Exit.void)
    }).pipe(Effect.scoped)
  )
})

describe("StoreUnavailable", () => {
  it.scoped("writes to a store that refuses them fail with StoreUnavailable and change nothing", () =>
    Effect.gen(function* () {
      const file = yield* migrated
      const layer = Connections.Default.pipe(
        Layer.provide(readOnly(file)),
        Layer.provide(Layer.succeed(StoreKind, "sqlite")),
        Layer.provide(withConfig({ SITE_URL: "https://self.example.com" }))
      )
      const connections = Context.get(yield* Layer.build(layer), Connections)
      const error = yield* Effect.flip(
        connections.create({ name: "n", direction: "sender", siteUrl: "https://a.example.com" })
      )
      assert.strictEqual(error._tag, "StoreUnavailable")
      assert.include(error.message, "SQLITE_READONLY")
      assert.deepStrictEqual(yield* connections.list(), [])
    })
  )
})
