import * as Net from "node:net"
import { join } from "node:path"
import { assert, beforeAll, describe, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Redacted, Schedule } from "effect"
import { CONNECTIONS_CHANNEL, HISTORY_CHANNEL } from "../src/Cluster/Relay.js"
import { TIMINGS } from "../src/Cluster.js"
import * as Token from "../src/Domain/Token.js"
import { freePort, graphql } from "./utils/App.js"
import { sse, within, wsClient, wsSubscribe } from "./utils/Clients.js"
import * as FakeSite from "./utils/FakeSite.js"
import { admin, pgDatabase, pgUrl } from "./utils/Pg.js"
import { listenTo } from "./utils/PgListen.js"
import { build, launch, type Process, started } from "./utils/Process.js"

// Three real processes (`node dist/main.js`) on one fresh PostgreSQL database, each with its own PORT and
// runner port, watching a counting fake remote on loopback. Real time by nature: waits are bounded polls.

beforeAll(build, 180_000)

const MONITOR_EVERY_SECONDS = 2
const RUNS_HERE = "The monitor's rounds run on this instance"
const STOPPED_HERE = "The monitor's rounds stopped on this instance"
// @effect/cluster's line when a refresh of this runner's shard locks fails or times out
const LOCKS_LOST = "Shard lock storage is unhealthy"
// a failure guard for waits on a line: never reached by a working product however busy the machine, well
// inside the test's timeout
const HANG_GUARD = "90 seconds"
// the singleton moves as runners join: the instance running it is the one whose last word was "run here"
const runsRounds = (app: Process) => app.output().lastIndexOf(RUNS_HERE) > app.output().lastIndexOf(STOPPED_HERE)

const ok = (app: Process, query: string, variables: Record<string, unknown> = {}) =>
  Effect.flatMap(graphql(app.graphqlUrl, query, variables), (result) =>
    result.errors === undefined ? Effect.succeed(result.data!) : Effect.dieMessage(JSON.stringify(result.errors))
  )

const createReceiver = (app: Process, name: string, siteUrl: string, status = "ACTIVE") =>
  Effect.map(
    ok(app, `mutation ($input: CreateConnectionInput!) { createConnection(input: $input) { connection { uuid } } }`, {
      input: { name, direction: "RECEIVER", siteUrl, authToken: `token-of-${name}`, status }
    }),
    (data) => data["createConnection"]["connection"]["uuid"] as string
  )

// the process writes `text` past `from` in its output (already, or on a later chunk): an event, not a poll
const logged = (app: Process, text: string, from: number) =>
  Effect.async<void>((resume) => {
    const seen = () => {
      if (app.output().indexOf(text, from) < 0) return
      stop()
      resume(Effect.void)
    }
    const stop = () => {
      app.child.stdout.off("data", seen)
      app.child.stderr.off("data", seen)
    }
    // after launch's own listeners, so output() already holds the chunk
    app.child.stdout.on("data", seen)
    app.child.stderr.on("data", seen)
    seen()
    return Effect.sync(stop)
  }).pipe(
    Effect.raceFirst(
      Effect.flatMap(Deferred.await(app.exited), (exit) => Effect.dieMessage(`exited before "${text}": ${exit.output}`))
    )
  )

// polls a condition that real time will make true; the bound is a failure guard, not a measurement
const eventually = <A, E>(what: string, probe: Effect.Effect<A | undefined, E>, bound: Duration.DurationInput) =>
  probe.pipe(
    Effect.flatMap((value) => (value === undefined ? Effect.fail("not yet" as const) : Effect.succeed(value))),
    Effect.retry(Schedule.spaced(Duration.millis(100))),
    within(what, bound)
  )

// the requests each connection (by its token hash) caused, in arrival order
const arrivals = (remotes: ReadonlyArray<FakeSite.FakeSite>) =>
  Effect.map(
    Effect.forEach(remotes, (remote) => remote.requests),
    (all) => {
      const byHash = new Map<string, Array<number>>()
      for (const request of all.flat()) {
        const hash = (request.body as { auth_token_hash: string }).auth_token_hash
        byHash.set(hash, [...(byHash.get(hash) ?? []), request.at])
      }
      return byHash
    }
  )

// the monitor's rounds this process completed (nobody subscribes to statusEvents here: only the monitor's)
const roundsOf = (app: Process) =>
  Effect.promise(async () => {
    const body = await (await fetch(`http://127.0.0.1:${app.port}/metrics`)).text()
    return Number(/^syncwatch_rounds_total(?:\{[^}]*\})? (\S+)$/m.exec(body)?.[1] ?? 0)
  })

// the status checks this process performed, by /metrics
const checksOf = (app: Process) =>
  Effect.promise(async () => {
    const body = await (await fetch(`http://127.0.0.1:${app.port}/metrics`)).text()
    let sum = 0
    for (const match of body.matchAll(/^syncwatch_checks_total\{[^}]*kind="sender_status"[^}]*\} (\S+)$/gm))
      sum += Number(match[1])
    return sum
  })

// the instances' checks and the remotes' requests at one moment between two rounds: the same twice in a row
const between = (apps: ReadonlyArray<Process>, remotes: ReadonlyArray<FakeSite.FakeSite>) => {
  const snapshot = Effect.all({
    checks: Effect.forEach(apps, checksOf),
    requests: Effect.map(
      Effect.forEach(remotes, (remote) => remote.requests),
      (all) => all.flat().length
    )
  })
  return Effect.flatMap(snapshot, (first) =>
    Effect.map(snapshot, (second) => (JSON.stringify(first) === JSON.stringify(second) ? first : undefined))
  ).pipe(
    Effect.flatMap((same) => (same === undefined ? Effect.fail("busy" as const) : Effect.succeed(same))),
    Effect.retry(Schedule.spaced(Duration.millis(100))),
    Effect.orDie
  )
}

// receivers spread over the shards (so over the instances) for the shares
const SPREAD = 30

const gapsOf = (times: ReadonlyArray<number>) => times.slice(1).map((at, i) => at - times[i]!)

describe("several instances on one PostgreSQL", () => {
  it.live(
    "a change reaches every instance; the rounds run once; they survive a SIGKILL of their runner",
    () =>
      Effect.gen(function* () {
        const databaseUrl = pgUrl(yield* pgDatabase("the cluster test"))
        // one receiver per site: two counted remotes for the rounds, one for the on-demand check
        const active = FakeSite.json(200, { success: true, status: "active", name: "n" })
        const remotes = [yield* FakeSite.make(active), yield* FakeSite.make(active)] as const
        const asked = yield* FakeSite.make(active)
        const ports = [yield* freePort, yield* freePort, yield* freePort]
        const siteUrl = `http://127.0.0.1:${ports[0]}`
        const env = (port: number) =>
          Effect.map(freePort, (runnerPort) => ({
            PORT: String(port),
            SITE_URL: siteUrl,
            DATABASE_URL: databaseUrl,
            CLUSTER_RUNNER_PORT: String(runnerPort),
            ALLOW_INTERNAL_URLS: "true",
            MONITOR_EVERY_SECONDS: String(MONITOR_EVERY_SECONDS),
            LOG_LEVEL: "info"
          }))
        const apps: Array<Process> = []
        for (const port of ports) {
          const app = yield* launch(yield* env(port))
          yield* started(app)
          apps.push(app)
        }
        const [one, two, three] = apps as [Process, Process, Process]
        const heard = yield* listenTo(databaseUrl, [CONNECTIONS_CHANNEL, HISTORY_CHANNEL])

        // identity: another SITE_URL on the same registry is refused at start
        const stranger = yield* launch({ ...(yield* env(yield* freePort)), SITE_URL: "http://127.0.0.1:1" })
        const refused = yield* Deferred.await(stranger.exited).pipe(within("the stranger to exit", "30 seconds"))
        assert.strictEqual(refused.code, 1, refused.output)
        assert.include(refused.output, `SITE_URL is http://127.0.0.1:1, but the other instances`)
        assert.include(refused.output, siteUrl)

        // 1. a change on instance 1 reaches subscribers on instance 3, over graphql-ws and SSE
        const changed = yield* wsSubscribe(
          yield* wsClient(three.port),
          "subscription { connectionChanged { kind connectionUuid connection { name } } }"
        )
        const statusChanged = yield* sse(three.graphqlUrl, "subscription { statusChanged { connectionUuid from to } }")
        // once instance 3's own change arrives, its subscription is open
        const local = yield* createReceiver(three, "local", remotes[0].url)
        const first = yield* changed.next.pipe(within("instance 3's own change", "10 seconds"))
        assert.strictEqual((first.data!["connectionChanged"] as any).connectionUuid, local)
        const startedAt = Date.now()
        const far = yield* createReceiver(one, "far", remotes[1].url)
        const fromOne = yield* changed.next.pipe(within("instance 1's change on instance 3", "10 seconds"))
        const latencyMs = Date.now() - startedAt
        assert.deepStrictEqual(fromOne.data, {
          connectionChanged: { kind: "CREATED", connectionUuid: far, connection: { name: "far" } }
        })
        // a pending receiver is left out of rounds, so the history row of this check is instance 2's alone
        const pending = yield* createReceiver(two, "pending", asked.url, "PENDING")
        yield* ok(two, `{ senderStatuses(uuids: ["${pending}"]) { status } }`)
        const row = yield* eventually(
          "instance 2's history row on instance 3",
          Effect.map(statusChanged.next, (result) =>
            (result.data!["statusChanged"] as any).connectionUuid === pending ? result.data : undefined
          ),
          "10 seconds"
        )
        assert.deepStrictEqual(row, { statusChanged: { connectionUuid: pending, from: null, to: "ACTIVE" } })
        assert.lengthOf(yield* asked.requests, 1)

        // 2. one request per connection per interval across the three, not three; rounds on one instance only;
        // each connection checked by its owner: every instance does a share of the checks
        for (let i = 0; i < SPREAD; i++) yield* createReceiver(two, `spread-${i}`, `${remotes[0].url}/r${i}`)
        const everyReceiver = 2 + SPREAD
        const roundsBefore = yield* Effect.forEach(apps, roundsOf)
        const counted = yield* between(apps, remotes)
        yield* eventually(
          "four rounds of every receiver",
          Effect.map(arrivals(remotes), (byHash) =>
            byHash.size === everyReceiver && [...byHash.values()].every((times) => times.length >= 5) ? true : undefined
          ),
          "60 seconds"
        )
        const after = yield* between(apps, remotes)
        const shares = after.checks.map((n, i) => n - counted.checks[i]!)
        const checked = shares.reduce((a, b) => a + b, 0)
        // exactly once: every request the remotes got was one instance's check, none made twice (the spacing below)
        assert.strictEqual(checked, after.requests - counted.requests, JSON.stringify(shares))
        // the owners: each instance holds about a third of the shards, so does about a third of the checks
        for (const share of shares) {
          assert.isAbove(share / checked, 0.1, JSON.stringify(shares))
          assert.isBelow(share / checked, 0.6, JSON.stringify(shares))
        }
        // a round every 2 s (+ up to 10% jitter); results younger than that are shared, whoever checked
        const spaced = Effect.gen(function* () {
          for (const times of (yield* arrivals(remotes)).values()) {
            for (const gap of gapsOf(times)) assert.isAtLeast(gap, 1500, JSON.stringify(gapsOf(times)))
          }
        })
        yield* spaced
        const runners = apps.filter(runsRounds)
        assert.lengthOf(runners, 1, apps.map((app) => app.output()).join("\n---\n"))
        const roundsAfter = yield* Effect.forEach(apps, roundsOf)
        apps.forEach((app, i) => {
          const rounds = roundsAfter[i]! - roundsBefore[i]!
          if (app === runners[0]) assert.isAtLeast(rounds, 3)
          else assert.strictEqual(rounds, 0, `instance ${i + 1} ran rounds too`)
        })

        // 3. SIGKILL of the instance running the rounds: another takes them over
        const victim = runners[0]!
        const survivors = apps.filter((app) => app !== victim)
        const before = Math.max(...[...(yield* arrivals(remotes)).values()].map((times) => times.length))
        const killedAt = Date.now()
        victim.child.kill("SIGKILL")
        yield* eventually(
          "rounds from another instance",
          Effect.map(arrivals(remotes), (byHash) =>
            [...byHash.values()].every((times) => times.length >= before + 2) ? true : undefined
          ),
          // the killed runner's shard locks lapse at most shardLockExpiration after its last refresh; then two
          // rounds of 2 s (a hang guard, not a figure: bench:cluster measures the gap)
          Duration.sum(TIMINGS.shardLockExpiration, "15 seconds")
        )
        const takeoverMs = Date.now() - killedAt
        assert.lengthOf(survivors.filter(runsRounds), 1)
        yield* spaced

        // what the instances told each other: uuids and outcomes, never a token or its hash
        assert.isAtLeast(heard.length, 4)
        for (const name of ["local", "far", "pending"]) {
          const token = `token-of-${name}`
          const hash = Redacted.value(Token.hash(Redacted.make(token)))
          for (const payload of heard) {
            assert.notInclude(payload, token)
            assert.notInclude(payload, hash)
          }
        }

        // SIGTERM: an instance leaves the cluster cleanly (its shards released, exit 0)
        const leaving = survivors.find((app) => !runsRounds(app))!
        leaving.child.kill("SIGTERM")
        const left = yield* Deferred.await(leaving.exited).pipe(within("exit after SIGTERM", "30 seconds"))
        assert.strictEqual(left.code, 0, left.output)
        console.log(
          `cluster e2e: change on instance 3 after ${latencyMs} ms; rounds again ${takeoverMs} ms after SIGKILL; ` +
            `checks by instance ${JSON.stringify(shares)}`
        )
      }).pipe(Effect.scoped),
    240_000
  )

  it.live(
    "SQLite, the default: nothing of @effect/cluster is even loaded; on PostgreSQL it is, and stops without the database",
    () =>
      Effect.gen(function* () {
        const traced = { NODE_OPTIONS: `--import ${join(import.meta.dirname, "utils", "ClusterImports.mjs")}` }
        const LOADED = "cluster module loaded: "
        const sqlite = yield* launch(traced)
        yield* started(sqlite)
        const database = yield* pgDatabase("the cluster import test")
        const onPg = yield* launch({ ...traced, DATABASE_URL: pgUrl(database), MONITOR_EVERY_SECONDS: "1" })
        yield* started(onPg)
        // and a PostgreSQL instance whose database is gone still stops cleanly on SIGTERM
        yield* logged(onPg, RUNS_HERE, 0).pipe(within("the monitor to run", HANG_GUARD))
        const lost = onPg.output().length
        yield* admin((sql) =>
          Effect.zipRight(
            sql`ALTER DATABASE ${sql(database)} ALLOW_CONNECTIONS false`,
            sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${database}`
          )
        )
        // the product stops the rounds when it can no longer refresh its shard locks (docs/cluster.md, "Takeover"): the
        // test waits for that line, and checks it came from the lock loss, with the process still up
        yield* logged(onPg, STOPPED_HERE, lost).pipe(within("the monitor to stop with its shard lock", HANG_GUARD))
        const output = onPg.output()
        const unhealthy = output.indexOf(LOCKS_LOST, lost)
        assert.isAtLeast(unhealthy, 0, output)
        assert.isAbove(output.indexOf(STOPPED_HERE, lost), unhealthy, output)
        assert.isFalse(yield* Deferred.isDone(onPg.exited))
        for (const app of [sqlite, onPg]) {
          app.child.kill("SIGTERM")
          assert.strictEqual(
            (yield* Deferred.await(app.exited).pipe(within("exit after SIGTERM", "30 seconds"))).code,
            0
          )
        }
        assert.notInclude(sqlite.output(), LOADED)
        // the probe sees the modules where they are used
        assert.include(onPg.output(), `${LOADED}file://`)
      }).pipe(Effect.scoped),
    180_000
  )

  it.live(
    "a runner the others cannot reach takes no shards and fails /health; an ask to a killed owner reaches the next",
    () =>
      Effect.gen(function* () {
        const database = yield* pgDatabase("the cluster owners test")
        // the remote holds its answers while `holding` is set: asks are then in flight at the owners
        let holding: Deferred.Deferred<void> | undefined
        const active = FakeSite.json(200, { success: true, status: "active", name: "n" })
        const remote = yield* FakeSite.make(() => (holding === undefined ? active : FakeSite.held(holding, active)))
        const port = yield* freePort
        const shared = {
          SITE_URL: `http://127.0.0.1:${port}`,
          DATABASE_URL: pgUrl(database),
          ALLOW_INTERNAL_URLS: "true",
          MONITOR_EVERY_SECONDS: String(MONITOR_EVERY_SECONDS),
          LOG_LEVEL: "info"
        }
        const one = yield* launch({ ...shared, PORT: String(port) })
        yield* started(one)
        const two = yield* launch(shared)
        yield* started(two)
        // announces an address nothing answers at (TEST-NET-1), listening on loopback
        const runnerPort = yield* freePort
        const lost = yield* launch({
          ...shared,
          CLUSTER_RUNNER_HOST: "192.0.2.1",
          CLUSTER_RUNNER_LISTEN_HOST: "127.0.0.1",
          CLUSTER_RUNNER_PORT: String(runnerPort)
        })
        yield* started(lost)
        assert.include(lost.output(), `cluster runner address 192.0.2.1:${runnerPort}`)
        assert.include(lost.output(), "It takes no shards")
        const health = yield* Effect.promise(() => fetch(`http://127.0.0.1:${lost.port}/health`))
        assert.strictEqual(health.status, 503)
        assert.isTrue((yield* Effect.promise(() => fetch(`http://127.0.0.1:${one.port}/health`))).ok)
        // the runners the cluster knows: the two, not the unreachable one
        const runners = yield* admin((sql) => sql<{ address: string }>`SELECT address FROM cluster_runners`, database)
        assert.lengthOf(runners, 2, JSON.stringify(runners))
        assert.notInclude(JSON.stringify(runners), "192.0.2.1")

        // its rounds still run, each connection checked by its owner: never by the unreachable instance
        const uuids: Array<string> = []
        for (let i = 0; i < SPREAD; i++) uuids.push(yield* createReceiver(lost, `owned-${i}`, `${remote.url}/r${i}`))
        const rounds = yield* sse(
          `http://127.0.0.1:${lost.port}/graphql`,
          `subscription { statusRounds(everySeconds: ${MONITOR_EVERY_SECONDS}) { senderStatuses { connectionUuid } } }`
        )
        const whole = Effect.map(rounds.next, (result) => {
          const got = (result.data!["statusRounds"] as any).senderStatuses as Array<{ connectionUuid: string }>
          return new Set(got.map((s) => s.connectionUuid)).size === SPREAD ? true : undefined
        })
        yield* eventually("a whole round on the unreachable instance", whole, HANG_GUARD)
        assert.strictEqual(yield* checksOf(lost), 0)

        // SIGKILL of an owner (not the monitor's instance) with asks in flight at it: they are asked again of
        // the shards' next owner, and the rounds go on whole
        yield* eventually(
          "the monitor on one of the two",
          Effect.succeed([one, two].some(runsRounds) ? true : undefined),
          HANG_GUARD
        )
        const victim = runsRounds(one) ? two : one
        holding = yield* Deferred.make<void>()
        const heldFrom = (yield* remote.requests).length
        yield* eventually(
          "requests held at the remote",
          Effect.map(remote.requests, (all) => (all.length > heldFrom ? true : undefined)),
          HANG_GUARD
        )
        const killedAt = Date.now()
        victim.child.kill("SIGKILL")
        yield* Deferred.succeed(holding, void 0)
        holding = undefined
        yield* eventually(
          "every connection checked again after the kill",
          Effect.map(arrivals([remote]), (byHash) =>
            byHash.size === SPREAD && [...byHash.values()].every((times) => times.some((at) => at > killedAt))
              ? true
              : undefined
          ),
          HANG_GUARD
        )
        yield* eventually("a whole round after the kill", whole, HANG_GUARD)
      }).pipe(Effect.scoped),
    240_000
  )

  it.live("a runner port in use stops the start, naming CLUSTER_RUNNER_PORT", () =>
    Effect.gen(function* () {
      const busy = yield* Effect.acquireRelease(
        Effect.async<Net.Server>((resume) => {
          const server = Net.createServer()
          server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
        }),
        (server) => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
      )
      const port = (busy.address() as Net.AddressInfo).port
      const app = yield* launch({
        DATABASE_URL: pgUrl(yield* pgDatabase("the cluster port test")),
        CLUSTER_RUNNER_PORT: String(port)
      })
      const exit = yield* Deferred.await(app.exited).pipe(within("exit on a busy runner port", "30 seconds"))
      assert.strictEqual(exit.code, 1, exit.output)
      assert.match(
        exit.output,
        /^syncwatch did not start: CLUSTER_RUNNER_PORT: the cluster runner cannot listen \(.*EADDRINUSE/
      )
    }).pipe(Effect.scoped)
  )
})
