import { execFileSync } from "node:child_process"
import { availableParallelism } from "node:os"
import { createReceivers, PREFIX, receiver } from "./Checks.js"
import {
  cpuMs,
  exitOnSignals,
  freePort,
  killAll,
  load,
  type Remote,
  type Syncwatch,
  sleep,
  startRemoteWith,
  startSyncwatch,
  stop
} from "./Children.js"

// npm run bench:cluster [connections]: checks partitioned across instances (docs/cluster.md). A fresh database on
// the PostgreSQL at 127.0.0.1:5432 (dropped after), one counting remote answering every check after a fixed
// 100 ms (so a round is bound by each instance's CHECK_CONCURRENCY, not this machine's cores), 3,000 receivers
// (or the argument's count), the monitor every CLUSTER_EVERY seconds (10 for 3,000; one per 300 connections).
// 1. one instance: its round; 2. three: each one's share of the checks and the round; 3. a statusRounds
// subscriber on every instance too: requests per connection per interval; 4. SIGKILL of the instance running
// the monitor (an owner of a third of the shards too): how long until every connection is checked again.

const connections = Number(process.argv[2] ?? 3000)
const every = Number(process.env["CLUSTER_EVERY"] ?? Math.max(10, Math.ceil(connections / 300)))
const DELAY_MS = 100
// measured rounds with three instances; intervals of subscribers
const ROUNDS = 3
const WINDOW_INTERVALS = 4
const PG = "postgres://postgres@127.0.0.1:5432"
// CLUSTER_PROFILE=<dir>: every instance writes a --cpu-prof there, and the bench stops after the measured rounds
// (2.), so the profiles end with them (bench/profile.ts, PROFILE_LAST_SECONDS)
const profileDir = process.env["CLUSTER_PROFILE"]
const nodeArgs = profileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${profileDir}`]
const database = `syncwatch_bench_cluster_${process.pid}`

const psql = (sql: string) => execFileSync("psql", [`${PG}/postgres`, "-qAtc", sql], { stdio: "pipe" }).toString()
let created = false
process.on("exit", () => {
  killAll()
  if (created) psql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
})
exitOnSignals()
// the bench database's committed transactions so far (PostgreSQL's statistics, a few hundred ms behind)
const commits = () => Number(psql(`SELECT xact_commit FROM pg_stat_database WHERE datname = '${database}'`))
const line = (name: string, value: string | number) => console.log(`${name}: ${value}`)

// the checks an instance performed (its /metrics), and its CPU
const checksOf = async (app: Syncwatch) => {
  const body = await (await fetch(`${app.origin}/metrics`)).text()
  let sum = 0
  for (const match of body.matchAll(/^syncwatch_checks_total\{[^}]*kind="sender_status"[^}]*\} (\S+)$/gm))
    sum += Number(match[1])
  return sum
}
const roundsOf = async (app: Syncwatch) => {
  const body = await (await fetch(`${app.origin}/metrics`)).text()
  return Number(/^syncwatch_rounds_total(?:\{[^}]*\})? (\S+)$/m.exec(body)?.[1] ?? 0)
}

// The monitor's next round: from the first request after the last round completed to the next completion
// (syncwatch_rounds_total, counted by the instance running it; nobody else runs rounds then)
const monitorRound = async (remote: Remote, apps: ReadonlyArray<Syncwatch>) => {
  const completed = async () =>
    (await Promise.all(apps.map((app) => roundsOf(app).catch(() => 0)))).reduce((a, b) => a + b, 0)
  const deadline = Date.now() + 20 * every * 1000
  const until = async (done: () => Promise<boolean>) => {
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`no round of the monitor within ${20 * every} s`)
      await sleep(50)
    }
  }
  const before = await completed()
  await until(async () => (await completed()) > before)
  const rounds = await completed()
  const { answered } = await remote.stats()
  await until(async () => (await remote.stats()).answered > answered)
  const startedAt = Date.now()
  await until(async () => (await completed()) > rounds)
  return { requests: (await remote.stats()).answered - answered, spanMs: Date.now() - startedAt }
}

// a statusRounds subscriber (the page's feed) over SSE, read and dropped
const subscribe = (app: Syncwatch) => {
  const controller = new AbortController()
  void fetch(`${app.origin}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify({ query: `subscription { statusRounds(everySeconds: ${every}) { round } }` }),
    signal: controller.signal
  }).then(
    async (response) => {
      const reader = response.body?.getReader()
      // the stream of a killed instance breaks: that ends this subscriber, nothing more
      while (reader !== undefined && !(await reader.read().catch(() => ({ done: true }))).done) {}
    },
    () => {}
  )
  return () => controller.abort()
}

const main = async () => {
  psql(`CREATE DATABASE ${database}`)
  created = true
  const remote = await startRemoteWith({ REMOTE_DELAY_MS: String(DELAY_MS), REMOTE_ARRIVALS: "1" })
  const ports = [await freePort(), await freePort(), await freePort()]
  const siteUrl = `http://127.0.0.1:${ports[0]}`
  const env = async (port: number) => ({
    HOST: "127.0.0.1",
    PORT: String(port),
    SITE_URL: siteUrl,
    DATABASE_URL: `${PG}/${database}`,
    CLUSTER_RUNNER_PORT: String(await freePort()),
    SYNC_URL_PREFIX: PREFIX,
    ALLOW_INTERNAL_URLS: "true",
    LOG_LEVEL: process.env["CLUSTER_LOG_LEVEL"] ?? "warning",
    MONITOR_EVERY_SECONDS: String(every),
    GRAPHQL_MAX_ALIASES: "1000",
    GRAPHQL_MAX_TOKENS: "100000"
  })
  const one = await startSyncwatch(await env(ports[0]!), nodeArgs)
  await createReceivers(
    `${one.origin}/graphql`,
    Array.from({ length: connections }, (_, i) => receiver(remote.origin, i))
  )
  console.log(
    `cluster bench: node ${process.version}, ${availableParallelism()} CPUs, load average ${load()}; ` +
      `${connections} receivers, remote delay ${DELAY_MS} ms, monitor every ${every} s, CHECK_CONCURRENCY 64`
  )

  // 1. one instance
  const alone = await monitorRound(remote, [one])
  line("round ms, 1 instance", alone.spanMs)
  line("requests in that round", alone.requests)

  // 2. three instances: shards spread once the two newcomers hold theirs (a few lock refreshes)
  const apps = [
    one,
    await startSyncwatch(await env(ports[1]!), nodeArgs),
    await startSyncwatch(await env(ports[2]!), nodeArgs)
  ]
  await sleep(20_000)
  await monitorRound(remote, apps)
  const before = await Promise.all(apps.map(async (app) => ({ checks: await checksOf(app), cpu: cpuMs(app.pid)! })))
  const roundsBefore = await Promise.all(apps.map(roundsOf))
  const commitsBefore = commits()
  const spans: Array<number> = []
  const asked: Array<number> = []
  for (let i = 0; i < ROUNDS; i++) {
    const round = await monitorRound(remote, apps)
    spans.push(round.spanMs)
    asked.push(round.requests)
  }
  const after = await Promise.all(apps.map(async (app) => ({ checks: await checksOf(app), cpu: cpuMs(app.pid)! })))
  const roundsAfter = await Promise.all(apps.map(roundsOf))
  const commitsAfter = commits()
  const done = after.map((a, i) => a.checks - before[i]!.checks)
  const total = done.reduce((a, b) => a + b, 0)
  for (const [i, n] of done.entries()) line(`share of checks, instance ${i + 1}`, `${((100 * n) / total).toFixed(1)} %`)
  const cpu = after.map((a, i) => a.cpu - before[i]!.cpu)
  line(
    "µs CPU per check, 3 instances (all three processes)",
    ((1000 * cpu.reduce((a, b) => a + b, 0)) / total).toFixed(0)
  )
  spans.sort((a, b) => a - b)
  const three = spans[Math.floor(spans.length / 2)]!
  line("PostgreSQL transactions per round, 3 instances", ((commitsAfter - commitsBefore) / ROUNDS).toFixed(0))
  line("round ms, 3 instances (median)", three)
  line("requests in the measured rounds", asked.join(" "))
  line("round ratio, 3 instances / 1", (three / alone.spanMs).toFixed(2))
  line("load average", load())
  if (profileDir !== undefined) {
    await Promise.all(apps.map((app) => stop(app.child)))
    await stop(remote.child)
    return
  }

  // 3. subscribers on every instance as well: each connection asked at most once an interval?
  const unsubscribe = apps.map(subscribe)
  await sleep(every * 1000)
  const checksFrom = await Promise.all(apps.map(checksOf))
  const since = Date.now()
  await sleep(WINDOW_INTERVALS * every * 1000)
  const window = await remote.arrivals(since, 0.95 * every * 1000)
  const checksTo = await Promise.all(apps.map(checksOf))
  line("requests in the window", window.requests)
  line("checks the instances counted meanwhile", checksTo.map((n, i) => n - checksFrom[i]!).join(" "))
  line("requests asked again within the interval", window.within)
  line("of which within a second", window.withinSecond)
  line(
    "requests per connection per interval",
    (window.requests / Math.max(1, window.requests - window.within)).toFixed(2)
  )
  line("shortest gap between two requests of a connection, s", (window.minGapMs / 1000).toFixed(1))

  // 4. SIGKILL of the monitor's instance (it ran the rounds in 2: nobody else did)
  const runner = Math.max(
    1,
    apps.findIndex((_, i) => roundsAfter[i]! > roundsBefore[i]!)
  )
  const victim = apps[runner]!
  const killedAt = Date.now()
  victim.child.kill("SIGKILL")
  line("killed", `instance ${runner + 1} (the monitor's)`)
  let again: number | null = null
  while (again === null && Date.now() - killedAt < 120_000) {
    await sleep(500)
    again = (await remote.arrivals(killedAt, 0)).allAgainAfterMs
  }
  line("every connection checked again after SIGKILL, s", again === null ? "not within 120" : (again / 1000).toFixed(1))
  line("gap in rounds after SIGKILL", again === null ? "> 120 s" : (again / 1000 / every).toFixed(2))
  line("load average", load())
  for (const stopIt of unsubscribe) stopIt()
  await Promise.all(apps.filter((app) => app !== victim).map((app) => stop(app.child)))
  await stop(remote.child)
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error("[bench] broken run:", error instanceof Error ? error.message : error)
    process.exit(1)
  }
)
