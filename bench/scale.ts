import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { Effect } from "effect"
import { chromium } from "playwright-core"
import { make as makeView } from "../src/Connections/View.js"
import { Connections } from "../src/Connections.js"
import { ConnectionChange, SenderStatusFetched } from "../src/Domain/Events.js"
import { bulkUuid, fill } from "../test/utils/Bulk.js"
import { configProvider, sqlAt } from "../test/utils/Db.js"
import { pgDatabase, pgUrl } from "../test/utils/Pg.js"
import { cpuMs, freePort, killAll, peakRssMb, ROOT, rssMb, startRemote, startSyncwatch, stop } from "./Children.js"
import { catchUpAt } from "./catchUp.js"

// npm run bench:scale [N]: one instance with N connections (100,000 by default) on SQLite, against a
// loopback remote sender (bench/remote.ts), MONITOR_EVERY_SECONDS=300: the monitor's first round (its time,
// the server's CPU, peak RSS, /health probed every 50 ms all along it), the status page's first rows in
// Chromium, the memory each connection takes in the registry and the last-known state (measured in this
// process), and the catch-up after a lost LISTEN session at N rows (PostgreSQL at 127.0.0.1:5432).
// One `name: value` line per figure; load averages beside them. SCALE_PG=0 leaves the catch-up out;
// SCALE_NODE_ARGS adds node flags to syncwatch's process (e.g. "--trace-gc").

const N = Number(process.argv[2] ?? 100_000)
const HEALTH_EVERY_MS = 50
const RSS_GOAL_MB = 600
const HEALTH_P99_GOAL_MS = 100
const FIRST_ROWS_GOAL_MS = 2000

setFlagsFromString("--expose-gc")
const gc = runInNewContext("gc") as () => void

const dir = mkdtempSync(join(tmpdir(), "syncwatch-scale-"))
process.on("exit", () => {
  killAll()
  rmSync(dir, { recursive: true, force: true })
})
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => process.exit(130))

const line = (name: string, value: string | number) => console.log(`${name}: ${value}`)
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(" ")
const quantile = (sorted: ReadonlyArray<number>, q: number) =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const heapMb = () => {
  gc()
  gc()
  return process.memoryUsage().heapUsed / 2 ** 20
}

// the registry as the watcher holds it (decoded rows by uuid), the view's entries over the same rows
// (Connections/View.ts, on PostgreSQL), and one last result per connection (LastKnown.ts)
const memory = (database: string) =>
  Effect.gen(function* () {
    const connections = yield* Connections
    const before = heapMb()
    const registry = new Map((yield* connections.list()).map((row) => [row.uuid as string, row]))
    const listed = heapMb()
    const view = makeView()
    for (const connection of registry.values()) {
      view.record(
        new ConnectionChange(
          { kind: "created", connectionUuid: connection.uuid, connection },
          { disableValidation: true }
        )
      )
    }
    const viewed = heapMb()
    const now = Date.now()
    const lastKnown = new Map<string, SenderStatusFetched>()
    for (const uuid of registry.keys()) {
      lastKnown.set(
        uuid,
        new SenderStatusFetched(
          {
            connectionUuid: uuid as SenderStatusFetched["connectionUuid"],
            status: "active",
            remoteStatus: "active",
            reason: null,
            detail: null,
            checkedAt: (now + lastKnown.size) as SenderStatusFetched["checkedAt"],
            durationMs: 1.25 + lastKnown.size / 1e6
          },
          { disableValidation: true }
        )
      )
    }
    const known = heapMb()
    const perKb = (mb: number) => ((mb * 1024) / registry.size).toFixed(2)
    line("registry_kb_per_connection", perKb(listed - before))
    line("view_kb_per_connection", perKb(viewed - listed))
    line("last_known_kb_per_connection", perKb(known - viewed))
    line("memory_kb_per_connection", perKb(known - before))
    return [registry, view, lastKnown] as const
  }).pipe(
    Effect.provide(Connections.Default),
    Effect.provide(sqlAt(database)),
    Effect.withConfigProvider(configProvider({ SITE_URL: "http://127.0.0.1:1" }))
  )

const metric = async (origin: string, name: string) => {
  const text = await fetch(`${origin}/metrics`).then((response) => response.text())
  const found = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text)
  return found === null ? 0 : Number(found[1])
}

// /health, one probe at a time every HEALTH_EVERY_MS, until `until` resolves: each probe's time, sorted, and
// the slowest with when they started (s into the round)
const probeHealth = async (origin: string, until: Promise<unknown>) => {
  const times: Array<number> = []
  const at: Array<readonly [number, number]> = []
  const from = performance.now()
  let done = false
  void until.then(() => {
    done = true
  })
  while (!done) {
    const started = performance.now()
    const ok = await fetch(`${origin}/health`, { signal: AbortSignal.timeout(10_000) }).then(
      (response) => response.ok,
      () => false
    )
    times.push(ok ? performance.now() - started : 10_000)
    at.push([times.at(-1)!, (started - from) / 1000])
    await sleep(HEALTH_EVERY_MS)
  }
  const slowest = at
    .sort((a, b) => b[0] - a[0])
    .slice(0, 6)
    .map(([ms, s]) => `${ms.toFixed(0)}ms@${s.toFixed(1)}s`)
  return { times: times.sort((a, b) => a - b), slowest }
}

const firstRows = async (origin: string) => {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] })
  try {
    const page = await browser.newPage()
    const started = performance.now()
    await page.goto(`${origin}/`)
    await page.locator(`tr[data-uuid="${bulkUuid(0)}"]`).waitFor({ timeout: 120_000 })
    return { shown: performance.now() - started }
  } finally {
    await browser.close()
  }
}

const main = async () => {
  line("connections", N)
  // the status page as `npm start` builds it (startSyncwatch compiles the server only)
  execFileSync(process.execPath, [join(ROOT, "ui/build.mjs")], { cwd: ROOT, stdio: "ignore" })
  const remote = await startRemote()
  const database = join(dir, "scale.db")
  const filled = performance.now()
  await Effect.runPromise(
    fill({ count: N, direction: "receiver", status: "active", siteUrl: (i) => `${remote.origin}/r${i}` }).pipe(
      Effect.provide(sqlAt(database))
    )
  )
  line("fill_ms", (performance.now() - filled).toFixed(0))

  const held = await Effect.runPromise(memory(database))
  line("memory_load", load())
  held[0].clear()

  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const started = performance.now()
  // SCALE_PROFILE_DIR: syncwatch runs under --cpu-prof, its profile written there (tsx bench/profile.ts <file>)
  const profileDir = process.env["SCALE_PROFILE_DIR"]
  const syncwatch = await startSyncwatch(
    {
      HOST: "127.0.0.1",
      PORT: String(port),
      SITE_URL: origin,
      DATABASE_URL: database,
      ALLOW_INTERNAL_URLS: "true",
      MONITOR_EVERY_SECONDS: "300",
      CLUSTER_RUNNER_PORT: String(await freePort()),
      LOG_LEVEL: "warning"
    },
    [
      ...(profileDir === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", profileDir]),
      ...(process.env["SCALE_NODE_ARGS"] ?? "").split(" ").filter((arg) => arg !== "")
    ]
  )
  line("start_ms", (performance.now() - started).toFixed(0))
  line("start_rss_mb", rssMb(syncwatch.pid)?.toFixed(1) ?? "n/a")

  // the monitor's first round starts with the server: it ends when syncwatch_rounds_total counts it
  const cpuBefore = cpuMs(syncwatch.pid) ?? 0
  const roundStarted = performance.now()
  const ended = (async () => {
    while ((await metric(origin, "syncwatch_rounds_total")) < 1) await sleep(100)
  })()
  const { times: health, slowest } = await probeHealth(origin, ended)
  const roundMs = performance.now() - roundStarted
  const answered = (await remote.stats()).answered
  line("round_ms", roundMs.toFixed(0))
  line("round_checks", answered)
  line(
    "round_cpu_us_per_check",
    ((((cpuMs(syncwatch.pid) ?? 0) - cpuBefore) * 1000) / Math.max(1, answered)).toFixed(1)
  )
  line("health_probes", health.length)
  line("health_p50_ms", quantile(health, 0.5).toFixed(1))
  line("health_p99_ms", quantile(health, 0.99).toFixed(1))
  line("health_max_ms", (health.at(-1) ?? Number.NaN).toFixed(1))
  line("health_slowest", slowest.join(" "))
  line("round_load", load())

  const page = await firstRows(origin)
  line("first_rows_ms", page.shown.toFixed(0))
  line("first_rows_load", load())
  const peak = peakRssMb(syncwatch.pid) ?? Number.NaN
  line("peak_rss_mb", peak.toFixed(1))
  line("rss_mb", rssMb(syncwatch.pid)?.toFixed(1) ?? "n/a")
  await stop(syncwatch.child)
  await stop(remote.child)

  if (process.env["SCALE_PG"] !== "0") {
    await Effect.runPromise(
      Effect.scoped(Effect.flatMap(pgDatabase("bench:scale's catch-up"), (name) => catchUpAt(pgUrl(name), N)))
    )
    line("catchup_load", load())
  }

  const misses = [
    peak >= RSS_GOAL_MB ? `peak RSS ${peak.toFixed(0)} MB (goal < ${RSS_GOAL_MB})` : "",
    quantile(health, 0.99) >= HEALTH_P99_GOAL_MS
      ? `/health p99 ${quantile(health, 0.99).toFixed(0)} ms (goal < ${HEALTH_P99_GOAL_MS})`
      : "",
    page.shown > FIRST_ROWS_GOAL_MS ? `first rows ${page.shown.toFixed(0)} ms (goal ≤ ${FIRST_ROWS_GOAL_MS})` : ""
  ].filter((miss) => miss !== "")
  line("targets", misses.length === 0 ? "met" : `missed: ${misses.join("; ")}`)
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
