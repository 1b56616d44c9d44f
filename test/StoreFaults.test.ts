import * as Net from "node:net"
import { join } from "node:path"
import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer, Option, Queue, Schedule, TestClock } from "effect"
import * as Dialect from "../src/Db/Dialect.js"
import { SENDER_STATUSES, STATUS_EVENTS } from "./graphql/Documents.js"
import { createReceiver, graphql, startSite } from "./utils/App.js"
import { sse, within } from "./utils/Clients.js"
import { peekAt, withConfig } from "./utils/Db.js"
import * as FakeSite from "./utils/FakeSite.js"
import { smallDisk } from "./utils/FullDisk.js"
import { admin, PG_PORT, PgTest, pgDatabase, pgUrl } from "./utils/Pg.js"

const CREATE = `mutation ($site: String!) {
  createConnection(input: {name: "Shop", direction: RECEIVER, siteUrl: $site, authToken: $site}) {
    connection { uuid }
  }
}`
const LIST = "{ connections { uuid siteUrl } }"

const health = (siteUrl: string) =>
  Effect.promise(async () => {
    const response = await fetch(`${siteUrl}/health`)
    return { status: response.status, body: (await response.json()) as { status: string } }
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

describe("the monitor while PostgreSQL is lost", () => {
  it.live("the monitor pauses while the database is gone and goes on by itself once it is back", () =>
    Effect.gen(function* () {
      const database = yield* pgDatabase("the store fault tests")
      const arrivals = yield* Queue.unbounded<void>()
      const remote = yield* FakeSite.make(() => {
        Queue.unsafeOffer(arrivals, undefined)
        return FakeSite.json(200, { success: true, status: "active", name: "n" })
      })
      const site = yield* startSite({ DATABASE_URL: pgUrl(database), MONITOR_EVERY_SECONDS: "1" })
      yield* createReceiver(site, remote.url)
      yield* Queue.take(arrivals).pipe(within("a monitor round", "10 seconds"))

      // on PostgreSQL the monitor is a cluster singleton: with the database gone its shard lock goes too, and
      // the rounds pause until an instance holds it again (docs/cluster.md)
      yield* cutOff(database)
      assert.strictEqual((yield* health(site.siteUrl)).status, 503)
      yield* restore(database)
      yield* Queue.takeAll(arrivals)
      yield* Queue.take(arrivals).pipe(within("a round after the database is back", "10 seconds"))
      yield* Queue.take(arrivals).pipe(within("the round after that", "10 seconds"))
    }).pipe(Effect.scoped)
  )
})

const HISTORY = `query ($uuid: ID!) { connection(uuid: $uuid) { statusHistory { from to } } }`

describe("a subscriber's round while PostgreSQL is lost", () => {
  it.live(
    "completes (its checks were served); statusHistory says StoreUnavailable; the rows it recorded are in the store once PostgreSQL is back",
    () =>
      Effect.gen(function* () {
        const database = yield* pgDatabase("the store fault tests")
        const remote = yield* FakeSite.make(FakeSite.json(200, { success: true, status: "active", name: "n" }))
        const site = yield* startSite({ DATABASE_URL: pgUrl(database) })
        const first = yield* createReceiver(site, `${remote.url}/a`)
        const second = yield* createReceiver(site, `${remote.url}/b`)

        yield* cutOff(database)
        const round = yield* sse(site.graphqlUrl, STATUS_EVENTS)
        const events = yield* Effect.all([round.next, round.next, round.next]).pipe(within("a round", "20 seconds"))
        assert.deepStrictEqual(
          events.map((event) => [
            event.errors,
            (event.data?.["statusEvents"] as { readonly __typename?: string } | undefined)?.__typename
          ]),
          [
            [undefined, "SenderStatusFetched"],
            [undefined, "SenderStatusFetched"],
            [undefined, "StatusRoundCompleted"]
          ],
          JSON.stringify(events)
        )
        assert.strictEqual(yield* Deferred.await(round.ended).pipe(within("the round's end", "10 seconds")), "complete")
        const statuses = yield* graphql(site.graphqlUrl, SENDER_STATUSES)
        assert.isUndefined(statuses.errors, JSON.stringify(statuses))
        const read = yield* graphql(site.graphqlUrl, HISTORY, { uuid: first })
        assert.strictEqual(read.errors?.[0]?.extensions?.code, "StoreUnavailable", JSON.stringify(read))

        yield* restore(database)
        // written behind, by the retry or by the read's own flush: polled, boundedly
        for (const uuid of [first, second]) {
          const history = yield* graphql(site.graphqlUrl, HISTORY, { uuid }).pipe(
            Effect.map((answer) => answer.data?.["connection"]?.["statusHistory"]),
            Effect.filterOrFail(
              (rows) => Array.isArray(rows) && rows.length > 0,
              () => "not written yet"
            ),
            Effect.retry(Schedule.spaced("100 millis")),
            Effect.timeoutFail({ duration: "20 seconds", onTimeout: () => "no history row within 20 s" })
          )
          assert.deepStrictEqual(history, [{ from: null, to: "ACTIVE" }])
        }
      }).pipe(Effect.scoped)
  )
})

// A loopback TCP proxy in front of PostgreSQL that can turn into a black hole: connections still accepted,
// nothing refused, nothing answered (a cable pulled, a firewall dropping packets). Restoring it resets what
// was open, as a network that comes back does.
const blackHoleProxy = Effect.acquireRelease(
  Effect.async<{ readonly server: Net.Server; readonly sockets: Set<Net.Socket>; readonly state: { hole: boolean } }>(
    (resume) => {
      const sockets = new Set<Net.Socket>()
      const state = { hole: false }
      const server = Net.createServer((client) => {
        const upstream = Net.connect(PG_PORT, "127.0.0.1")
        for (const [from, to] of [
          [client, upstream],
          [upstream, client]
        ] as const) {
          sockets.add(from)
          from.on("data", (chunk) => void (state.hole || to.write(chunk)))
          from.on("close", () => {
            sockets.delete(from)
            to.destroy()
          })
          from.on("error", () => from.destroy())
        }
      })
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed({ server, sockets, state })))
    }
  ),
  ({ server, sockets }) =>
    Effect.async<void>((resume) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => resume(Effect.void))
    })
).pipe(
  Effect.map(({ server, sockets, state }) => ({
    port: (server.address() as Net.AddressInfo).port,
    swallow: Effect.sync(() => {
      state.hole = true
    }),
    restore: Effect.sync(() => {
      for (const socket of sockets) socket.destroy()
      state.hole = false
    })
  }))
)

describe("PostgreSQL that stops answering (a black hole, not a refusal)", () => {
  it.live("GraphQL gets StoreUnavailable and /health 503 instead of a hang; back to normal once it answers", () =>
    Effect.gen(function* () {
      const database = yield* pgDatabase("the store fault tests")
      const proxy = yield* blackHoleProxy
      const site = yield* startSite({
        DATABASE_URL: `postgres://postgres@127.0.0.1:${proxy.port}/${database}`,
        DATABASE_TIMEOUT_MS: "2000"
      })
      assert.isUndefined((yield* graphql(site.graphqlUrl, CREATE, { site: "https://kept.example.com" })).errors)

      yield* proxy.swallow
      const read = yield* graphql(site.graphqlUrl, LIST)
      assert.strictEqual(read.errors?.[0]?.extensions?.code, "StoreUnavailable", JSON.stringify(read))
      const write = yield* graphql(site.graphqlUrl, CREATE, { site: "https://refused.example.com" })
      assert.strictEqual(write.errors?.[0]?.extensions?.code, "StoreUnavailable", JSON.stringify(write))
      assert.deepStrictEqual(yield* health(site.siteUrl), { status: 503, body: { status: "unavailable" } })

      yield* proxy.restore
      // the pool drops its reset connections as their sockets report closing: polled, boundedly
      yield* health(site.siteUrl).pipe(
        Effect.filterOrFail(
          (answer) => answer.status === 200,
          () => "still unhealthy"
        ),
        Effect.retry(Schedule.spaced("50 millis")),
        Effect.timeoutFail({ duration: "15 seconds", onTimeout: () => "not healthy again within 15 s" })
      )
      const after = yield* graphql(site.graphqlUrl, LIST)
      assert.deepStrictEqual(
        after.data?.["connections"].map((c: { siteUrl: string }) => c.siteUrl),
        ["https://kept.example.com"]
      )
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

describe("SQLite on a full disk", () => {
  // SQLite finds the disk full at COMMIT, when the WAL grows: the batch must count as the store's failure (kept
  // and retried), not as a bug (dropped)
  it.live("a round's results and history rows wait in memory and are written once there is space again", () =>
    Effect.gen(function* () {
      const disk = yield* smallDisk()
      const databaseUrl = join(disk.dir, "syncwatch.db")
      const remote = yield* FakeSite.make(FakeSite.json(200, { success: true, status: "active", name: "n" }))
      yield* Effect.gen(function* () {
        const site = yield* startSite({ DATABASE_URL: databaseUrl })
        const kept = yield* createReceiver(site, `${remote.url}/kept`)
        for (const path of ["a", "b", "c"]) yield* createReceiver(site, `${remote.url}/${path}`)
        yield* disk.fill
        const refused = yield* graphql(site.graphqlUrl, CREATE, { site: "https://refused.example.com" })
        assert.strictEqual(refused.errors?.[0]?.extensions?.code, "StoreUnavailable", JSON.stringify(refused))
        // a delete is one transaction, refused at its COMMIT
        const removal = yield* graphql(
          site.graphqlUrl,
          "mutation ($uuid: ID!) { deleteConnection(uuid: $uuid) { deleted } }",
          {
            uuid: kept
          }
        )
        assert.strictEqual(removal.errors?.[0]?.extensions?.code, "StoreUnavailable", JSON.stringify(removal))
        // the round answers with what it checked; its end flushes, and the store refuses the batch
        const statuses = yield* graphql(site.graphqlUrl, SENDER_STATUSES)
        assert.isUndefined(statuses.errors, JSON.stringify(statuses))
        assert.lengthOf(statuses.data?.["senderStatuses"], 4)
        yield* disk.free
        // the server stops: what still waits is written now, if the retry behind has not written it already
      }).pipe(Effect.scoped)
      const stored = yield* Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        return {
          results: yield* sql<{ outcome: string }>`SELECT outcome FROM check_results`,
          history: yield* sql<{ to_state: string }>`SELECT to_state FROM status_history`
        }
      }).pipe(Effect.provide(peekAt(databaseUrl)), Effect.orDie)
      assert.deepStrictEqual(
        stored.results.map((row) => row.outcome),
        ["active", "active", "active", "active"]
      )
      assert.deepStrictEqual(
        stored.history.map((row) => row.to_state),
        ["ACTIVE", "ACTIVE", "ACTIVE", "ACTIVE"]
      )
    }).pipe(Effect.scoped)
  )
})
