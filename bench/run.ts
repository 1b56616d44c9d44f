import { mkdtempSync, rmSync } from "node:fs"
import { availableParallelism, loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import {
  bareRun,
  bareTargets,
  createReceivers,
  graphqlRun,
  makeBareAgent,
  PREFIX,
  type Receiver,
  receiver
} from "./Checks.js"
import {
  cpuMs,
  freePort,
  killAll,
  peakRssMb,
  type Remote,
  resetPeakRss,
  rssMb,
  startRemote,
  startSyncwatch,
  stop
} from "./Children.js"

// npm run bench: syncwatch's senderStatuses over GraphQL against a bare undici loop, both checking the same
// N receivers on a loopback remote sender in its own process. BENCH_SIZES overrides N (comma-separated);
// BENCH_PROFILE=1 runs syncwatch under --cpu-prof (summarise with `tsx bench/profile.ts <file>`);
// BENCH_NODE_ARGS adds node flags to syncwatch's process (e.g. "--max-semi-space-size=32").
// METRICS_ENABLED and OTEL_EXPORTER_OTLP_ENDPOINT are passed to syncwatch when set.

const CONCURRENCY = 64
const TIMEOUT_MS = 30_000
const REPEATS = 3
// issue 23's targets: throughput and CPU per check against the bare loop, peak and idle RSS
const RATIO_GOAL = 1.0
const CPU_RATIO_GOAL = 0.8
const RSS_GOAL_MB = 160
const IDLE_RSS_GOAL_MB = 110
const sizes = (process.env["BENCH_SIZES"] ?? "1000,10000").split(",").map(Number)
const profile = process.env["BENCH_PROFILE"] === "1"

const dir = mkdtempSync(join(tmpdir(), "syncwatch-bench-"))
const cleanup = () => {
  killAll()
  if (!profile) rmSync(dir, { recursive: true, force: true })
}
process.on("exit", cleanup)
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    console.error(`[bench] ${signal}: stopping`)
    process.exit(130)
  })
}

const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const fmt = (n: number, digits = 0) => n.toFixed(digits).padStart(8)
const load = () => loadavg()[0]!.toFixed(2)
const mbText = (mb: number | undefined) => (mb === undefined ? "n/a" : `${mb.toFixed(1)} MB`)

interface Measured {
  readonly ms: number
  readonly remoteCpu: number
  readonly syncwatchCpu: number
  // CPU ms of the process doing the checks (syncwatch, or this one for the bare loop): robust to other load
  readonly checkerCpuMs: number
}

// one timed run, with the remote's request count (must be N: no caching, no retries) and both CPU shares
const measure = async (
  remote: Remote,
  pid: number,
  n: number,
  run: () => Promise<number>,
  bare = false
): Promise<Measured> => {
  const before = await remote.stats()
  const cpuBefore = cpuMs(pid) ?? Number.NaN
  const ownBefore = process.cpuUsage()
  const ms = await run()
  const own = process.cpuUsage(ownBefore)
  const cpuAfter = cpuMs(pid) ?? Number.NaN
  const after = await remote.stats()
  const answered = after.answered - before.answered
  if (after.rejected !== before.rejected) {
    throw new Error(`remote rejected ${after.rejected - before.rejected} requests`)
  }
  if (answered !== n) throw new Error(`remote answered ${answered} requests, expected ${n}`)
  const syncwatchCpuMs = cpuAfter - cpuBefore
  return {
    ms,
    remoteCpu: (after.cpuMs - before.cpuMs) / ms,
    syncwatchCpu: syncwatchCpuMs / ms,
    checkerCpuMs: bare ? (own.user + own.system) / 1000 : syncwatchCpuMs
  }
}

const report = (label: string, n: number, runs: ReadonlyArray<Measured>) => {
  const ms = median(runs.map((r) => r.ms))
  const perSecond = (n / ms) * 1000
  const times = runs.map((r) => r.ms.toFixed(0)).join(" / ")
  const cpu = (pick: (r: Measured) => number) => `${(median(runs.map(pick)) * 100).toFixed(0)}%`
  const cpuPerCheck = (median(runs.map((r) => r.checkerCpuMs)) * 1000) / n
  console.log(
    `  ${label} ${fmt(perSecond)} checks/s  median ${fmt(ms, 1)} ms  (runs ${times} ms; ` +
      `CPU: syncwatch ${cpu((r) => r.syncwatchCpu)}, remote ${cpu((r) => r.remoteCpu)}; ` +
      `${cpuPerCheck.toFixed(0)} µs CPU per check in the checking process)`
  )
  return { perSecond, cpuPerCheck }
}

const main = async () => {
  const remote = await startRemote()
  const port = await freePort()
  const siteUrl = `http://127.0.0.1:${port}`
  const env = {
    HOST: "127.0.0.1",
    PORT: String(port),
    SITE_URL: siteUrl,
    DATABASE_URL: join(dir, "syncwatch.db"),
    SYNC_URL_PREFIX: PREFIX,
    ALLOW_INTERNAL_URLS: "true",
    PEER_TIMEOUT_MS: String(TIMEOUT_MS),
    CHECK_CONCURRENCY: String(CONCURRENCY),
    LOG_LEVEL: "warning",
    // the bench creates its receivers 250 to a request: above the admin API's default query limits
    GRAPHQL_MAX_ALIASES: "1000",
    GRAPHQL_MAX_TOKENS: "100000",
    // on vs off comparisons: `METRICS_ENABLED=false npm run bench`, `OTEL_EXPORTER_OTLP_ENDPOINT=… npm run bench`
    ...Object.fromEntries(
      ["METRICS_ENABLED", "OTEL_EXPORTER_OTLP_ENDPOINT"].flatMap((name) => {
        const value = process.env[name]
        return value === undefined ? [] : [[name, value]]
      })
    )
  }
  const nodeArgs = [
    ...(profile ? ["--cpu-prof", `--cpu-prof-dir=${join(dir, "profiles")}`] : []),
    ...(process.env["BENCH_NODE_ARGS"]?.split(" ").filter((arg) => arg !== "") ?? [])
  ]
  const syncwatch = await startSyncwatch(env, nodeArgs)
  const graphqlUrl = `${syncwatch.origin}/graphql`
  console.log(
    `syncwatch bench: node ${process.version}, ${availableParallelism()} CPUs, load average ${load()}, loopback only`
  )
  console.log(`remote sender: pid ${remote.child.pid} at ${remote.origin} (separate process, keep-alive)`)
  console.log(`syncwatch: pid ${syncwatch.pid} at ${graphqlUrl}, DATABASE_URL=${env.DATABASE_URL}`)
  const idleRss = rssMb(syncwatch.pid) ?? Number.NaN
  console.log(`syncwatch RSS idle after start: ${mbText(idleRss)}`)
  console.log(
    `CHECK_CONCURRENCY=${env.CHECK_CONCURRENCY}, bare loop concurrency ${CONCURRENCY}, ${REPEATS} runs + 1 warm-up each`
  )

  const agent = makeBareAgent()
  const receivers: Array<Receiver> = []
  let lifetimePeak = 0
  const results = new Map<
    number,
    { graphql: number; bare: number; graphqlCpu: number; bareCpu: number; rss: number | undefined }
  >()
  for (const n of sizes) {
    const added = Array.from({ length: n - receivers.length }, (_, k) => receiver(remote.origin, receivers.length + k))
    const createdAt = performance.now()
    await createReceivers(graphqlUrl, added)
    receivers.push(...added)
    const targets = bareTargets(receivers, siteUrl)
    console.log(
      `N = ${n} (${added.length} receivers created in ${((performance.now() - createdAt) / 1000).toFixed(1)} s, ` +
        `not measured; RSS now ${mbText(rssMb(syncwatch.pid))})`
    )

    // peak RSS of the measured phase: VmHWM after a reset, and VmRSS sampled every 20 ms in case reset is refused
    lifetimePeak = Math.max(lifetimePeak, peakRssMb(syncwatch.pid) ?? 0)
    const hwmReset = resetPeakRss(syncwatch.pid)
    let sampled = rssMb(syncwatch.pid) ?? 0
    const sampler = setInterval(() => {
      sampled = Math.max(sampled, rssMb(syncwatch.pid) ?? 0)
    }, 20)

    await measure(remote, syncwatch.pid, n, () => graphqlRun(graphqlUrl, n))
    await measure(remote, syncwatch.pid, n, () => bareRun(agent, targets, CONCURRENCY, TIMEOUT_MS), true)
    const graphqlRuns: Array<Measured> = []
    const bareRuns: Array<Measured> = []
    // interleaved, so drift (GC, page cache, thermal) lands on both sides alike
    for (let i = 0; i < REPEATS; i++) {
      graphqlRuns.push(await measure(remote, syncwatch.pid, n, () => graphqlRun(graphqlUrl, n)))
      bareRuns.push(
        await measure(remote, syncwatch.pid, n, () => bareRun(agent, targets, CONCURRENCY, TIMEOUT_MS), true)
      )
    }
    clearInterval(sampler)
    const rss = Math.max(sampled, (hwmReset ? peakRssMb(syncwatch.pid) : undefined) ?? 0)

    const { perSecond: graphql, cpuPerCheck: graphqlCpu } = report("graphql senderStatuses:", n, graphqlRuns)
    const { perSecond: bare, cpuPerCheck: bareCpu } = report("bare undici loop:      ", n, bareRuns)
    console.log(
      `  ratio at N = ${n}: ${(graphql / bare).toFixed(2)} (CPU per check, bare ÷ syncwatch: ` +
        `${(bareCpu / graphqlCpu).toFixed(2)}); syncwatch peak RSS while checking: ${mbText(rss)}`
    )
    results.set(n, { graphql, bare, graphqlCpu, bareCpu, rss })
    lifetimePeak = Math.max(lifetimePeak, rss)
  }

  lifetimePeak = Math.max(lifetimePeak, peakRssMb(syncwatch.pid) ?? 0)
  await agent.close()
  await stop(syncwatch.child)
  await stop(remote.child)
  console.log(`load average at the end ${load()} (other work on this machine skews both sides)`)
  if (profile) console.log(`cpu profile of syncwatch in ${join(dir, "profiles")}`)

  const last = results.get(10_000) ?? results.get(sizes[sizes.length - 1]!)!
  const ratio = last.graphql / last.bare
  const cpuRatio = last.bareCpu / last.graphqlCpu
  const rss = last.rss ?? Number.NaN
  console.log(`syncwatch peak RSS over the whole run, creation included: ${mbText(lifetimePeak)}`)
  const met = ratio >= RATIO_GOAL && cpuRatio >= CPU_RATIO_GOAL && rss < RSS_GOAL_MB && idleRss < IDLE_RSS_GOAL_MB
  console.log(
    `goal (at N = 10000: ratio >= ${RATIO_GOAL.toFixed(2)}, CPU per check bare ÷ syncwatch >= ${CPU_RATIO_GOAL.toFixed(2)}, ` +
      `peak RSS < ${RSS_GOAL_MB} MB; idle RSS < ${IDLE_RSS_GOAL_MB} MB): ${met ? "met" : "NOT met"}`
  )
  // the figures of the largest N (10000 by default), one per line; CPU is the checking process's own (utime +
  // stime: syncwatch's for senderStatuses, this process's for the bare loop), median of the runs, per check
  console.log(`syncwatch CPU per check: ${last.graphqlCpu.toFixed(1)} µs`)
  console.log(`bare loop CPU per check: ${last.bareCpu.toFixed(1)} µs`)
  console.log(`CPU ratio: ${cpuRatio.toFixed(2)}`)
  console.log(`idle RSS: ${idleRss.toFixed(0)} MB`)
  // the serving process while it checks N = 10000 (warm-up and runs)
  console.log(`peak RSS: ${rss.toFixed(0)} MB`)
  console.log(`ratio: ${ratio.toFixed(2)}`)
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error("[bench] broken run:", error instanceof Error ? error.message : error)
    process.exit(1)
  }
)
