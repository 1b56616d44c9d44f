import { assert, describe, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Fiber, Schedule } from "effect"
import {
  create,
  createRegisteredSender,
  freePort,
  graphql,
  type RunningSite,
  startRefused,
  startSite
} from "./utils/App.js"
import { sse, within } from "./utils/Clients.js"
import * as FakeSite from "./utils/FakeSite.js"
import { admin, pgDatabase, pgUrl } from "./utils/Pg.js"

// Two instances in this process on one fresh PostgreSQL database, over real sockets.

const CHANGED = "subscription { connectionChanged { kind connection { name } } }"

const sender = (site: RunningSite, name: string) =>
  create(site, { name, direction: "SENDER", siteUrl: `https://${name}.example.com` })

// the LISTEN sessions of the instances' cluster pools on the database, oldest first
const listeners = (database: string) =>
  admin(
    (sql) =>
      sql<{ pid: number }>`SELECT pid FROM pg_stat_activity
        WHERE datname = ${database} AND application_name = 'syncwatch-cluster' AND query ILIKE 'LISTEN%'
        ORDER BY backend_start`
  ).pipe(
    Effect.map((rows) => rows.map((row) => row.pid)),
    Effect.orDie
  )

const receiver = (site: RunningSite, url: string, token: string, status = "ACTIVE") =>
  create(site, { name: token, direction: "RECEIVER", siteUrl: url, authToken: token, status })

// the receivers a round on the instance checks: those of its registry in memory, pending ones left out
const checked = (site: RunningSite) =>
  Effect.map(graphql(site.graphqlUrl, "{ senderStatuses { connectionUuid } }"), (result) =>
    (result.data!["senderStatuses"] as Array<{ connectionUuid: string }>).map((row) => row.connectionUuid).sort()
  )

// two instances on one fresh database, as a load balancer would see them: one SITE_URL, the first on its port
const twoInstances = (purpose: string, env: Record<string, string> = {}) =>
  Effect.gen(function* () {
    const database = yield* pgDatabase(purpose)
    const port = yield* freePort
    const shared = { DATABASE_URL: pgUrl(database), SITE_URL: `http://127.0.0.1:${port}`, ...env }
    const a = yield* startSite({ ...shared, PORT: String(port) })
    const b = yield* startSite(shared)
    return { database, a, b }
  })

describe("several instances: the change feed between them", () => {
  it.live(
    "comes back by itself when an instance's LISTEN session is cut",
    () =>
      Effect.gen(function* () {
        const { database, a, b } = yield* twoInstances("the cluster relay test", { CLUSTER_LISTEN_PROBE_SECONDS: "1" })
        const changes = yield* sse(b.graphqlUrl, CHANGED)
        yield* sender(b, "own")
        assert.deepStrictEqual((yield* changes.next.pipe(within("b's own change"))).data, {
          connectionChanged: { kind: "CREATED", connection: { name: "own" } }
        })
        yield* sender(a, "before")
        assert.deepStrictEqual((yield* changes.next.pipe(within("a's change on b"))).data, {
          connectionChanged: { kind: "CREATED", connection: { name: "before" } }
        })

        const cut = yield* listeners(database)
        assert.lengthOf(cut, 2)
        yield* Effect.forEach(cut, (pid) => admin((sql) => sql`SELECT pg_terminate_backend(${pid})`))
        // both instances notice their probes going unheard and listen again on new sessions
        yield* listeners(database).pipe(
          Effect.filterOrFail((pids) => pids.length === 2 && pids.every((pid) => !cut.includes(pid))),
          Effect.retry(Schedule.spaced(Duration.millis(200))),
          within("new LISTEN sessions", "40 seconds")
        )
        yield* sender(a, "after")
        assert.deepStrictEqual((yield* changes.next.pipe(within("a's change on b after the cut"))).data, {
          connectionChanged: { kind: "CREATED", connection: { name: "after" } }
        })
      }).pipe(Effect.scoped),
    90_000
  )

  it.live(
    "an instance that lost its LISTEN session catches up on what the others changed meanwhile",
    () =>
      Effect.gen(function* () {
        const remotes = yield* Effect.all(
          [1, 2, 3].map(() => FakeSite.make(FakeSite.json(200, { success: true, status: "active", name: "n" })))
        )
        // probes 2 s apart: a cut session is noticed after 6 s at the least, which leaves b's three writes
        // (well under a second) ample time to commit while a is deaf, on a loaded machine too
        const { database, a, b } = yield* twoInstances("the cluster catch-up test", {
          CLUSTER_LISTEN_PROBE_SECONDS: "2"
        })
        const approved = yield* receiver(a, remotes[0]!.url, "t1", "PENDING")
        const gone = yield* receiver(a, remotes[1]!.url, "t2")
        assert.deepStrictEqual(yield* checked(a), [gone])
        const changes = yield* sse(
          a.graphqlUrl,
          "subscription { connectionChanged { kind connectionUuid connection { status } } }"
        )
        yield* Deferred.await(changes.started).pipe(within("a's subscription"))

        // a started first: the older session is its own. Cut, it is noticed after three probes unheard and
        // replaced soon after
        const sessions = yield* listeners(database)
        assert.lengthOf(sessions, 2)
        const [deaf, other] = sessions
        yield* admin((sql) => sql`SELECT pg_terminate_backend(${deaf!})`)
        const created = yield* receiver(b, remotes[2]!.url, "t3")
        const approval = yield* graphql(
          b.graphqlUrl,
          `mutation { updateConnectionStatus(uuid: "${approved}", status: ACTIVE) { connection { status } } }`
        )
        assert.deepStrictEqual(approval.data, { updateConnectionStatus: { connection: { status: "ACTIVE" } } })
        const deletion = yield* graphql(b.graphqlUrl, `mutation { deleteConnection(uuid: "${gone}") { deleted } }`)
        assert.deepStrictEqual(deletion.data, { deleteConnection: { deleted: true } })
        // a was listening nowhere when these committed: no notice of them can reach it
        assert.deepStrictEqual(yield* listeners(database), [other])

        // once a listens again, it reads what it missed
        const heard: Array<unknown> = []
        for (let i = 0; i < 3; i++) heard.push((yield* changes.next.pipe(within("a catching up", "30 seconds"))).data)
        assert.sameDeepMembers(heard, [
          { connectionChanged: { kind: "CREATED", connectionUuid: created, connection: { status: "ACTIVE" } } },
          { connectionChanged: { kind: "UPDATED", connectionUuid: approved, connection: { status: "ACTIVE" } } },
          { connectionChanged: { kind: "DELETED", connectionUuid: gone, connection: null } }
        ])
        assert.deepStrictEqual(yield* checked(a), [approved, created].sort())
      }).pipe(Effect.scoped),
    60_000
  )

  it.live("an invalid CLUSTER_LISTEN_PROBE_SECONDS stops the start, naming it", () =>
    Effect.gen(function* () {
      const database = yield* pgDatabase("the cluster config test")
      assert.match(
        yield* startRefused({ DATABASE_URL: pgUrl(database), CLUSTER_LISTEN_PROBE_SECONDS: "0" }),
        /^CLUSTER_LISTEN_PROBE_SECONDS: .*must be an integer >= 1/
      )
    }).pipe(Effect.scoped)
  )

  it.live("a check on one instance is the last-known status on the others, and fresh for them", () =>
    Effect.gen(function* () {
      const remote = yield* FakeSite.make(FakeSite.json(200, { success: true, status: "active", name: "n" }))
      const { a, b } = yield* twoInstances("the cluster last-known test")
      const uuid = yield* receiver(a, remote.url, "t")
      const last = `{ connection(uuid: "${uuid}") { lastSenderStatus { status } } }`
      assert.deepStrictEqual((yield* graphql(b.graphqlUrl, last)).data, { connection: { lastSenderStatus: null } })
      yield* graphql(a.graphqlUrl, "{ senderStatuses { status } }")
      assert.lengthOf(yield* remote.requests, 1)
      // b read its last-known results less than a second ago: the next read is a second later at most
      const seen = yield* graphql(b.graphqlUrl, last).pipe(
        Effect.filterOrFail((result) => result.data?.["connection"]["lastSenderStatus"] !== null),
        Effect.retry(Schedule.spaced(Duration.millis(100))),
        within("a's check on b", "10 seconds")
      )
      assert.deepStrictEqual(seen.data, { connection: { lastSenderStatus: { status: "ACTIVE" } } })
      // within the interval b serves a's result: the remote is not asked again
      const fresh = yield* graphql(b.graphqlUrl, "{ senderStatuses(maxAgeSeconds: 3600) { status } }")
      assert.deepStrictEqual(fresh.data, { senderStatuses: [{ status: "ACTIVE" }] })
      assert.lengthOf(yield* remote.requests, 1)
    }).pipe(Effect.scoped)
  )

  it.live("a change one instance recorded is not recorded again by another that checks after it", () =>
    Effect.gen(function* () {
      const remote = yield* FakeSite.make(FakeSite.json(200, { success: true, status: "active", name: "n" }))
      const release = yield* Deferred.make<void>()
      const slow = yield* FakeSite.make(
        FakeSite.held(release, FakeSite.json(200, { success: true, status: "active", name: "n" }))
      )
      const { a, b } = yield* twoInstances("the cluster history-once test")
      const uuid = yield* receiver(a, remote.url, "t1")
      yield* receiver(a, slow.url, "t2")
      const changes = yield* sse(b.graphqlUrl, "subscription { statusChanged { connectionUuid from to } }")
      yield* Deferred.await(changes.started).pipe(within("b's subscription"))
      // a's round holds its results and history rows in memory until the slow receiver answers
      const round = yield* Effect.fork(graphql(a.graphqlUrl, "{ senderStatuses { status } }"))
      const heard = yield* changes.next.pipe(within("a's row on b", "10 seconds"))
      assert.deepStrictEqual(heard.data, { statusChanged: { connectionUuid: uuid, from: null, to: "ACTIVE" } })
      // b checks it too, and finds what a found: no change to record
      const again = yield* graphql(b.graphqlUrl, `{ senderStatuses(uuids: ["${uuid}"]) { status } }`)
      assert.deepStrictEqual(again.data, { senderStatuses: [{ status: "ACTIVE" }] })
      assert.lengthOf(yield* remote.requests, 2)
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(round)
      const history = yield* graphql(a.graphqlUrl, `{ connection(uuid: "${uuid}") { statusHistory { from to } } }`)
      assert.deepStrictEqual(history.data, { connection: { statusHistory: [{ from: null, to: "ACTIVE" }] } })
    }).pipe(Effect.scoped)
  )

  it.live("a sever asked of two instances at once is applied once", () =>
    Effect.gen(function* () {
      const gone = yield* FakeSite.make(FakeSite.json(404, { success: false, exists: false }))
      const { a, b } = yield* twoInstances("the cluster sever test")
      const uuid = yield* createRegisteredSender(a, gone.url, "S")
      const verify = `mutation { verifyReceiverConnections(uuids: ["${uuid}"]) { outcome suspended } }`
      const answers = yield* Effect.all([graphql(a.graphqlUrl, verify), graphql(b.graphqlUrl, verify)], {
        concurrency: 2
      })
      const all = answers.flatMap((answer) => answer.data!["verifyReceiverConnections"] as Array<any>)
      assert.deepStrictEqual(
        all.map((v) => v.outcome),
        ["NOT_FOUND", "NOT_FOUND"]
      )
      assert.lengthOf(
        all.filter((v) => v.suspended),
        1
      )
      const history = yield* graphql(a.graphqlUrl, `{ connection(uuid: "${uuid}") { status statusHistory { to } } }`)
      const rows = history.data!["connection"]["statusHistory"] as Array<{ to: string }>
      assert.strictEqual(history.data!["connection"]["status"], "SUSPENDED")
      assert.lengthOf(
        rows.filter((row) => row.to === "SUSPENDED"),
        1
      )
    }).pipe(Effect.scoped)
  )

  it.live("each history row is sent to the webhook once, by the instance that wrote it", () =>
    Effect.gen(function* () {
      const remote = yield* FakeSite.make(FakeSite.json(200, { success: true, status: "active", name: "n" }))
      const other = yield* FakeSite.make(FakeSite.json(200, { success: true, status: "active", name: "n" }))
      const hook = yield* FakeSite.make(FakeSite.json(200, {}))
      const { a, b } = yield* twoInstances("the cluster webhook test", {
        ALERT_WEBHOOK_URL: `${hook.url}/hook`,
        ALERT_WEBHOOK_SECRET: "webhook-secret-for-tests"
      })
      const first = yield* receiver(a, remote.url, "t1")
      const second = yield* receiver(b, other.url, "t2")
      // b hears of a's row first (the relay), then writes its own: were it to send what it hears, a third POST
      const statusChanged = yield* sse(b.graphqlUrl, "subscription { statusChanged { connectionUuid } }")
      yield* graphql(a.graphqlUrl, `{ senderStatuses(uuids: ["${first}"]) { status } }`)
      const heard = yield* statusChanged.next.pipe(within("a's row on b", "10 seconds"))
      assert.deepStrictEqual(heard.data, { statusChanged: { connectionUuid: first } })
      yield* graphql(b.graphqlUrl, `{ senderStatuses(uuids: ["${second}"]) { status } }`)
      // a delivery lists the changes of its incident (docs/alerts.md): here one each
      const changed = (r: FakeSite.RecordedRequest) => (r.body as any).data.changes[0].connectionUuid
      const posted = yield* hook.requests.pipe(
        Effect.filterOrFail((requests) => requests.some((r) => changed(r) === second)),
        Effect.retry(Schedule.spaced(Duration.millis(100))),
        within("b's row at the webhook", "10 seconds")
      )
      assert.deepStrictEqual(posted.map(changed), [first, second])
    }).pipe(Effect.scoped)
  )
})
