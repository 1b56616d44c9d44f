import * as Net from "node:net"
import { join } from "node:path"
import { assert, beforeAll, describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Layer } from "effect"
import { STATUS_EVENTS } from "./graphql/Documents.js"
import { freePort, graphql } from "./utils/App.js"
import { type Result, sse, within, wsClient, wsSubscribe } from "./utils/Clients.js"
import { damagedDatabase, sqlAt, tempDir } from "./utils/Db.js"
import * as FakeSite from "./utils/FakeSite.js"
import { pgDatabase, pgUrl } from "./utils/Pg.js"
import { build, launch, refusesToStart, started } from "./utils/Process.js"

// The real process, as `npm start` runs it (test/utils/Process.ts), built once here as `npm start` builds it.
beforeAll(build, 180_000)

const stopsCleanly = (signal: NodeJS.Signals) =>
  Effect.gen(function* () {
    const app = yield* launch({ LOG_LEVEL: "info" })
    yield* started(app)
    const result = yield* graphql(app.graphqlUrl, "{ connections { uuid } }")
    assert.deepStrictEqual(result.data, { connections: [] })
    const health = yield* Effect.promise(() => fetch(`http://127.0.0.1:${app.port}/health`).then((r) => r.json()))
    assert.deepStrictEqual(health, { status: "ok" })
    // the compiled server finds the built status page (dist/ui, beside it)
    const page = yield* Effect.promise(() => fetch(`http://127.0.0.1:${app.port}/`))
    assert.strictEqual(page.status, 200)
    assert.include(yield* Effect.promise(() => page.text()), "<title>syncwatch status</title>")

    // open subscriptions must not keep the process alive
    const overSse = yield* sse(app.graphqlUrl, STATUS_EVENTS, { every: 1 })
    const overWs = yield* wsSubscribe(yield* wsClient(app.port), STATUS_EVENTS, { every: 1 })
    expect(yield* overSse.next.pipe(within("an SSE round"))).toMatchObject({
      data: { statusEvents: { __typename: "StatusRoundCompleted" } }
    })
    expect(yield* overWs.next.pipe(within("a ws round"))).toMatchObject({
      data: { statusEvents: { __typename: "StatusRoundCompleted" } }
    })

    app.child.kill(signal)
    const exit = yield* Deferred.await(app.exited).pipe(within(`exit after ${signal}`))
    assert.strictEqual(exit.code, 0, exit.output)
    assert.strictEqual(yield* Deferred.await(overSse.ended), "complete")
    yield* Deferred.await(overWs.done).pipe(within("the ws subscription to complete"))
  })

// a port held by another listener for the scope's life
const busyPort = Effect.acquireRelease(
  Effect.async<Net.Server>((resume) => {
    const server = Net.createServer()
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
  }),
  (server) => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
).pipe(Effect.map((server) => (server.address() as Net.AddressInfo).port))

describe("the process", () => {
  it.live("serves, then exits 0 on SIGTERM", () => stopsCleanly("SIGTERM").pipe(Effect.scoped))

  it.live("serves, then exits 0 on SIGINT", () => stopsCleanly("SIGINT").pipe(Effect.scoped))

  it.live("refuses a PEER_TIMEOUT_MS that is not a number", () =>
    refusesToStart({ PEER_TIMEOUT_MS: "abc" }, "PEER_TIMEOUT_MS").pipe(Effect.scoped)
  )

  it.live("refuses a non-loopback HOST without ADMIN_TOKEN, saying how to fix it", () =>
    refusesToStart({ HOST: "0.0.0.0" }, "ALLOW_UNAUTHENTICATED=true").pipe(Effect.scoped)
  )

  it.live.each([
    ["CONFIRM_AFTER", "0", "CONFIRM_AFTER must be an integer >= 1"],
    ["ALERT_REPEAT_MINUTES", "soon", "ALERT_REPEAT_MINUTES"],
    ["ALERT_MASS_PERCENT", "101", "ALERT_MASS_PERCENT must be an integer from 0 to 100"],
    ["ROLLUP_RETENTION_DAYS", "0", "ROLLUP_RETENTION_DAYS must be an integer >= 1"]
  ] as const)("refuses %s=%s", ([variable, value, message]) =>
    refusesToStart({ [variable]: value }, variable, message).pipe(Effect.scoped)
  )

  it.live("refuses CHECK_CONCURRENCY=0", () =>
    refusesToStart({ CHECK_CONCURRENCY: "0" }, "CHECK_CONCURRENCY").pipe(Effect.scoped)
  )

  it.live("refuses a port in use, naming PORT", () =>
    Effect.gen(function* () {
      const port = yield* busyPort
      yield* refusesToStart({ PORT: String(port) }, "PORT", "already in use")
    }).pipe(Effect.scoped)
  )

  it.live.each([
    ["does not resolve", "no-such-host.invalid"],
    ["is not an address of this machine", "192.0.2.1"]
  ] as const)("refuses a HOST that %s, naming HOST", ([, host]) =>
    // ALLOW_UNAUTHENTICATED: a HOST that is not loopback would first be refused for want of ADMIN_TOKEN
    refusesToStart(
      { HOST: host, ALLOW_UNAUTHENTICATED: "true" },
      "HOST",
      "set HOST to an address of this machine"
    ).pipe(Effect.scoped)
  )

  it.live("refuses an empty DATABASE_URL instead of using a throwaway database", () =>
    refusesToStart({ DATABASE_URL: "" }, "DATABASE_URL is empty").pipe(Effect.scoped)
  )

  it.live("refuses require_password without INCOMING_PASSWORD", () =>
    refusesToStart({ INCOMING_MODE: "require_password" }, "INCOMING_PASSWORD").pipe(Effect.scoped)
  )

  it.live("refuses a database file another process holds, naming DATABASE_URL", () =>
    Effect.gen(function* () {
      const file = join(yield* tempDir, "held.db")
      // this test process holds the file, as a first syncwatch would
      yield* Layer.build(sqlAt(file))
      yield* refusesToStart({ DATABASE_URL: file }, "DATABASE_URL", "already in use by another syncwatch process")
    }).pipe(Effect.scoped)
  )

  it.live(
    "two syncwatch processes on one file: the second is refused; after SIGKILL of the first, the file is free",
    () =>
      Effect.gen(function* () {
        const file = join(yield* tempDir, "shared.db")
        const first = yield* launch({ DATABASE_URL: file })
        yield* started(first)
        yield* refusesToStart({ DATABASE_URL: file }, "DATABASE_URL", "already in use by another syncwatch process")
        // the first goes on serving, untouched by the refused start
        const result = yield* graphql(first.graphqlUrl, "{ connections { uuid } }")
        assert.deepStrictEqual(result.data, { connections: [] })
        // the OS drops the lock with the process, however it died: no stale lock to clean by hand
        first.child.kill("SIGKILL")
        yield* Deferred.await(first.exited).pipe(within("the first to die"))
        const next = yield* launch({ DATABASE_URL: file })
        yield* started(next)
      }).pipe(Effect.scoped)
  )

  it.live("refuses a damaged database file, naming it", () =>
    Effect.gen(function* () {
      const file = join(yield* tempDir, "damaged.db")
      yield* damagedDatabase(file)
      yield* refusesToStart({ DATABASE_URL: file }, "DATABASE_URL", `the database ${file} is damaged`)
    }).pipe(Effect.scoped)
  )

  it.live("refuses an unreachable PostgreSQL, naming DATABASE_URL, the password masked", () =>
    Effect.gen(function* () {
      const nobody = yield* freePort
      const exit = yield* refusesToStart(
        { DATABASE_URL: `postgres://postgres:s3cret-pw@127.0.0.1:${nobody}/syncwatch` },
        "DATABASE_URL",
        `cannot reach PostgreSQL at postgres://postgres:***@127.0.0.1:${nobody}/syncwatch`
      )
      assert.notInclude(exit.output, "s3cret-pw")
    }).pipe(Effect.scoped)
  )

  it.live("serves on PostgreSQL: DATABASE_URL=postgres://…, then exits 0 on SIGTERM", () =>
    Effect.gen(function* () {
      const app = yield* launch({ DATABASE_URL: pgUrl(yield* pgDatabase("the process test on PostgreSQL")) })
      yield* started(app)
      const created = yield* graphql(
        app.graphqlUrl,
        'mutation { createConnection(input: {name: "S", direction: SENDER, siteUrl: "https://s.example.com"}) { connection { siteUrl } } }'
      )
      assert.isUndefined(created.errors, JSON.stringify(created.errors))
      const listed = yield* graphql(app.graphqlUrl, "{ connections { siteUrl status } }")
      assert.deepStrictEqual(listed.data, { connections: [{ siteUrl: "https://s.example.com", status: "PENDING" }] })
      const health = yield* Effect.promise(() => fetch(`http://127.0.0.1:${app.port}/health`).then((r) => r.json()))
      assert.deepStrictEqual(health, { status: "ok" })
      // the gauge is counted in the table at each scrape
      const metrics = yield* Effect.promise(() => fetch(`http://127.0.0.1:${app.port}/metrics`).then((r) => r.text()))
      assert.match(metrics, /^syncwatch_connections\{direction="sender",status="pending"\} 1$/m)
      app.child.kill("SIGTERM")
      const exit = yield* Deferred.await(app.exited).pipe(within("exit after SIGTERM"))
      assert.strictEqual(exit.code, 0, exit.output)
    }).pipe(Effect.scoped)
  )

  it.live("HOST=0.0.0.0 without SITE_URL: a warning, and a valid URL of ours", () =>
    Effect.gen(function* () {
      const app = yield* launch({ HOST: "0.0.0.0", LOG_LEVEL: "warning", ALLOW_UNAUTHENTICATED: "true" })
      yield* Deferred.await(app.exited).pipe(
        Effect.flatMap((exit) => Effect.die(new Error(`exited: ${exit.output}`))),
        Effect.raceFirst(
          Effect.promise(async () => {
            for (;;) {
              if (app.output().includes("listens on every interface")) return
              await new Promise((resolve) => app.child.stdout.once("data", resolve))
            }
          })
        ),
        within("the warning", "20 seconds")
      )
      const told = /other sites are told (\S+);/.exec(app.output())?.[1]
      assert.isDefined(told, app.output())
      const url = new URL(told!)
      assert.strictEqual(url.port, String(app.port))
      assert.notStrictEqual(url.hostname, "0.0.0.0")
    }).pipe(Effect.scoped)
  )

  it.live("SIGTERM while a query waits on a remote: the query gets ShuttingDown (503), the process exits 0", () =>
    Effect.gen(function* () {
      const app = yield* launch({ LOG_LEVEL: "info", ALLOW_INTERNAL_URLS: "true" })
      yield* started(app)
      const remote = yield* FakeSite.make(FakeSite.hang)
      const created = yield* graphql(
        app.graphqlUrl,
        `mutation { createConnection(input: {name: "r", direction: RECEIVER, siteUrl: "${remote.url}"}) { connection { uuid } } }`
      )
      assert.isUndefined(created.errors, JSON.stringify(created.errors))
      const answer = fetch(app.graphqlUrl, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
        body: JSON.stringify({ query: "{ senderStatuses { connectionUuid status } }" })
      }).then(async (response) => ({ status: response.status, body: (await response.json()) as Result }))
      yield* Deferred.await(remote.received).pipe(within("the remote's request"))

      app.child.kill("SIGTERM")
      const exit = yield* Deferred.await(app.exited).pipe(within("exit after SIGTERM"))
      assert.strictEqual(exit.code, 0, exit.output)
      const { status, body } = yield* Effect.promise(() => answer)
      assert.strictEqual(status, 503)
      assert.strictEqual(body.errors?.[0]?.extensions?.["code"], "ShuttingDown")
      assert.isFalse((yield* Deferred.await(remote.closed).pipe(within("the remote's socket"))).completed)
    }).pipe(Effect.scoped)
  )

  it.live("refuses an ALERT_WEBHOOK_URL inside our network, without printing the webhook secret", () =>
    Effect.gen(function* () {
      const secret = "do-not-print-this-webhook-secret"
      const exit = yield* refusesToStart(
        { ALERT_WEBHOOK_URL: "http://192.168.1.20/hook", ALERT_WEBHOOK_SECRET: secret },
        "ALERT_WEBHOOK_URL"
      )
      assert.notInclude(exit.output, secret)
    }).pipe(Effect.scoped)
  )
})
