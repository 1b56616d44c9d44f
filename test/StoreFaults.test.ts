import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Option, TestClock } from "effect"
import * as Dialect from "../src/Db/Dialect.js"
import { graphql, startSite } from "./utils/App.js"
import { withConfig } from "./utils/Db.js"
import { admin, PgTest, pgDatabase, pgUrl } from "./utils/Pg.js"

const CREATE = `mutation ($site: String!) {
  createConnection(input: {name: "Shop", direction: RECEIVER, siteUrl: $site, authToken: $site}) {
    connection { uuid }
  }
}`
const LIST = "{ connections { uuid siteUrl } }"

const health = (siteUrl: string) =>
  Effect.promise(async () => {
    const response = await fetch(`${siteUrl}/health`)
    return { status: response.status, body: (await response.json()) as { status: string; reason?: string } }
  })

// the database stops accepting: new connections refused, every open one (the site's pool) terminated
const cutOff = (database: string) =>
  admin((sql) =>
    Effect.zipRight(
      sql`ALTER DATABASE ${sql(database)} ALLOW_CONNECTIONS false`,
      sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${database} AND pid <> pg_backend_pid()`
    )
  ).pipe(Effect.orDie)
const restore = (database: string) =>
  admin((sql) => sql`ALTER DATABASE ${sql(database)} ALLOW_CONNECTIONS true`).pipe(Effect.orDie)

describe("PostgreSQL lost while running", () => {
  it.live(
    "health answers 503, GraphQL reads and writes get StoreUnavailable; it recovers by itself, nothing lost",
    () =>
      Effect.gen(function* () {
        const database = yield* pgDatabase("the store fault tests")
        const site = yield* startSite({ DATABASE_URL: pgUrl(database) })
        const created = yield* graphql(site.graphqlUrl, CREATE, { site: "https://kept.example.com" })
        assert.isUndefined(created.errors)
        assert.strictEqual((yield* health(site.siteUrl)).status, 200)

        yield* cutOff(database)
        const down = yield* health(site.siteUrl)
        assert.strictEqual(down.status, 503)
        assert.strictEqual(down.body.status, "unavailable")
        const read = yield* graphql(site.graphqlUrl, LIST)
        assert.strictEqual(read.errors?.[0]?.extensions?.code, "StoreUnavailable", JSON.stringify(read))
        const write = yield* graphql(site.graphqlUrl, CREATE, { site: "https://refused.example.com" })
        assert.strictEqual(write.errors?.[0]?.extensions?.code, "StoreUnavailable", JSON.stringify(write))

        yield* restore(database)
        assert.strictEqual((yield* health(site.siteUrl)).status, 200)
        const after = yield* graphql(site.graphqlUrl, LIST)
        assert.deepStrictEqual(
          after.data?.["connections"].map((c: { siteUrl: string }) => c.siteUrl),
          ["https://kept.example.com"],
          "the acknowledged row is there, the refused one is not"
        )
        const again = yield* graphql(site.graphqlUrl, CREATE, { site: "https://after.example.com" })
        assert.isUndefined(again.errors)
      }).pipe(Effect.scoped)
  )
})

describe("a PostgreSQL statement that does not answer", () => {
  it.scoped("is StoreUnavailable at DATABASE_TIMEOUT_MS, not a hang", () =>
    Effect.gen(function* () {
      const dialect = yield* Dialect.pg
      const sql = yield* SqlClient.SqlClient
      const fiber = yield* Effect.fork(dialect.bounded(sql`SELECT pg_sleep(30)`))
      yield* Effect.yieldNow()
      yield* TestClock.adjust("1999 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)), "still waiting just before the deadline")
      yield* TestClock.adjust("1 millis")
      const error = yield* Effect.flip(Fiber.join(fiber))
      assert.strictEqual(error._tag, "StoreUnavailable")
      assert.include(error.message, "did not answer within 2s")
    }).pipe(Effect.provide(PgTest.pipe(Layer.provide(withConfig({ DATABASE_TIMEOUT_MS: "2000" })))))
  )
})
