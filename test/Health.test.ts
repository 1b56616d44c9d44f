import { createServer } from "node:http"
import { join } from "node:path"
import * as HttpLayerRouter from "@effect/platform/HttpLayerRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { Connections } from "../src/Connections.js"
import { StoreKind } from "../src/Db.js"
import * as Health from "../src/Health.js"
import { startSite } from "./utils/App.js"
import { sqlAt, tempDir, withConfig } from "./utils/Db.js"

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
        Layer.provide(readOnly(file)),
        Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))
      )
    )
    const { address } = yield* Effect.provide(HttpServer.HttpServer, context)
    return address._tag === "TcpAddress" ? `http://127.0.0.1:${address.port}/health` : ""
  })

describe("/health", () => {
  it.live("a site with a healthy store answers 200 ok", () =>
    Effect.gen(function* () {
      const site = yield* startSite()
      const response = yield* Effect.promise(() => fetch(`${site.siteUrl}/health`))
      assert.strictEqual(response.status, 200)
      assert.deepStrictEqual(yield* Effect.promise(() => response.json()), { status: "ok" })
    }).pipe(Effect.scoped)
  )

  it.live("a store that refuses writes answers 503 with the reason", () =>
    Effect.gen(function* () {
      const url = yield* healthAt(yield* migrated)
      const response = yield* Effect.promise(() => fetch(url))
      assert.strictEqual(response.status, 503)
      const body = (yield* Effect.promise(() => response.json())) as { status: string; reason: string }
      assert.strictEqual(body.status, "unavailable")
      assert.include(body.reason, "the database refuses writes: SQLITE_READONLY")
    }).pipe(Effect.scoped)
  )

  it.live("a file without the connections table answers 503: the table is read, not only SELECT 1", () =>
    Effect.gen(function* () {
      const file = join(yield* tempDir, "empty.db")
      yield* Effect.scoped(Layer.build(SqliteClient.layer({ filename: file })))
      const url = yield* healthAt(file)
      const response = yield* Effect.promise(() => fetch(url))
      assert.strictEqual(response.status, 503)
      const body = (yield* Effect.promise(() => response.json())) as { status: string; reason: string }
      assert.include(body.reason, "the connections table cannot be read")
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
