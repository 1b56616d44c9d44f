import { fork } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { availableParallelism, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { createReceivers, PREFIX, receiver } from "./Checks.js"
import {
  cpuMs,
  exitOnSignals,
  freePort,
  killAll,
  load,
  peakRssMb,
  resetPeakRss,
  rssMb,
  sleep,
  startFanoutFloor,
  startRemote,
  startSyncwatch,
  stop
} from "./Children.js"
import type { PagesMessage } from "./fanoutPages.js"

// npm run bench:fanout: what showing results costs. syncwatch (built, started as `npm start` does), a counting
// remote sender with N receiver connections, and P page-like graphql-ws clients in their own process, with
// rounds every S seconds. FANOUT_PAGES (300), FANOUT_CONNECTIONS (200), FANOUT_EVERY (10 s), FANOUT_ROUNDS
// (measured rounds, 5), FANOUT_MODE (events: statusEvents result by result; rounds: statusRounds, the page
// feed). FANOUT_PROFILE=1 runs syncwatch under --cpu-prof (summarise with `tsx bench/profile.ts <file>`).
// FANOUT_SERVER=floor serves the pages with bench/fanoutFloor.mjs instead of syncwatch: the same run's work with
// nothing but Node, undici, ws and better-sqlite3, what the machine itself costs for it (rounds mode only).

const pages = Number(process.env["FANOUT_PAGES"] ?? 300)
const connections = Number(process.env["FANOUT_CONNECTIONS"] ?? 200)
const every = Number(process.env["FANOUT_EVERY"] ?? 10)
const rounds = Number(process.env["FANOUT_ROUNDS"] ?? 5)
const profile = process.env["FANOUT_PROFILE"] === "1"
const floor = process.env["FANOUT_SERVER"] === "floor"
// the floor serves the page feed only
const mode = floor || process.env["FANOUT_MODE"] === "rounds" ? "rounds" : "events"
// the run stays under 2 minutes: a server that cannot serve every page its first round by then is measured as it is
const READY_BOUND_MS = 30_000
// /health is probed as a busy load balancer would, 4 times a second; its answers are part of the server CPU measured
const HEALTH_EVERY_MS = 250
// how often the window's end is looked for (an IPC message to the pages' process, no server work)
const ROUND_POLL_MS = 50

const dir = mkdtempSync(join(tmpdir(), "syncwatch-fanout-"))
process.on("exit", () => {
  killAll()
  if (!profile) rmSync(dir, { recursive: true, force: true })
})
exitOnSignals()

const main = async () => {
  const remote = await startRemote()
  const port = await freePort()
  const env = {
    HOST: "127.0.0.1",
    PORT: String(port),
    SITE_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: join(dir, "syncwatch.db"),
    SYNC_URL_PREFIX: PREFIX,
    ALLOW_INTERNAL_URLS: "true",
    LOG_LEVEL: "warning",
    MAX_CONNECTIONS: String(pages + 100),
    MAX_CONNECTIONS_PER_ADDRESS: String(pages + 100),
    GRAPHQL_MAX_ALIASES: "1000",
    GRAPHQL_MAX_TOKENS: "100000"
  }
  const nodeArgs = profile ? ["--cpu-prof", `--cpu-prof-dir=${join(dir, "profiles")}`] : []
  const server = floor
    ? await startFanoutFloor({
        PORT: String(port),
        FLOOR_CONNECTIONS: String(connections),
        FLOOR_REMOTE: remote.origin,
        FLOOR_PREFIX: PREFIX,
        FLOOR_EVERY: String(every),
        FLOOR_DB: join(dir, "floor.db")
      })
    : await startSyncwatch(env, nodeArgs)
  if (!floor) {
    await createReceivers(
      `${server.origin}/graphql`,
      Array.from({ length: connections }, (_, i) => receiver(remote.origin, i))
    )
  }
  console.log(
    `fanout bench: node ${process.version}, ${availableParallelism()} CPUs, load average ${load()}; ` +
      `${pages} pages × ${connections} connections, rounds every ${every} s, mode ${mode}` +
      (floor ? ", served by the floor (bench/fanoutFloor.mjs), not syncwatch" : "")
  )

  const clients = fork(fileURLToPath(new URL("fanoutPages.ts", import.meta.url)), [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env: {
      ...process.env,
      FANOUT_URL: `ws://127.0.0.1:${port}/graphql`,
      FANOUT_PAGES: String(pages),
      FANOUT_CONNECTIONS: String(connections),
      FANOUT_EVERY: String(every),
      FANOUT_MODE: mode
    }
  })
  const pending: Array<(counts: Extract<PagesMessage, { type: "counts" }>) => void> = []
  const ready = new Promise<void>((resolve) =>
    clients.on("message", (message: PagesMessage) => {
      if (message.type === "ready") resolve()
      else pending.shift()?.(message)
    })
  )
  const counts = () =>
    new Promise<Extract<PagesMessage, { type: "counts" }>>((resolve) => {
      pending.push(resolve)
      clients.send({ type: "counts" })
    })
  const subscribedAt = performance.now()
  const settled = await Promise.race([ready.then(() => true), sleep(READY_BOUND_MS).then(() => false)])
  const waited = ((performance.now() - subscribedAt) / 1000).toFixed(1)
  console.log(
    settled
      ? `every page has its first round after ${waited} s`
      : `not every page has its first round after ${waited} s: measuring anyway`
  )

  // the measured window: whole intervals, starting just after a round began
  const healthMs: Array<number> = []
  let probing = true
  const probe = async () => {
    while (probing) {
      const started = performance.now()
      await fetch(`${server.origin}/health`, { signal: AbortSignal.timeout(10_000) }).then(
        (response) => response.arrayBuffer(),
        () => undefined
      )
      healthMs.push(performance.now() - started)
      await sleep(HEALTH_EVERY_MS)
    }
  }
  resetPeakRss(server.pid)
  let sampled = 0
  const sampler = setInterval(() => {
    sampled = Math.max(sampled, rssMb(server.pid) ?? 0)
  }, 50)
  // the window is whole rounds: from just after the first page received one round to just after it received the
  // `rounds`-th next (an interval is `every` seconds plus the jitter and the round itself), so every CPU second
  // in it belongs to rounds whose results are counted; bounded by twice the nominal time
  const roundsSeen = async () => (await counts()).rounds
  const untilRounds = async (target: number, boundMs: number) => {
    const until = performance.now() + boundMs
    while ((await roundsSeen()) < target && performance.now() < until) await sleep(ROUND_POLL_MS)
  }
  await untilRounds((await roundsSeen()) + 1, 2 * every * 1000)
  const before = { remote: await remote.stats(), cpu: cpuMs(server.pid)!, counts: await counts() }
  const startedAt = performance.now()
  const probing$ = probe()
  await untilRounds(before.counts.rounds + rounds, 2 * rounds * every * 1000)
  const after = { remote: await remote.stats(), cpu: cpuMs(server.pid)!, counts: await counts() }
  const windowS = (performance.now() - startedAt) / 1000
  probing = false
  await probing$
  clearInterval(sampler)

  const delivered = after.counts.results - before.counts.results
  const cpuUs = (after.cpu - before.cpu) * 1000
  const requests = after.remote.answered - before.remote.answered
  const sorted = [...healthMs].sort((a, b) => a - b)
  const p99 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? Number.NaN
  const peak = Math.max(sampled, peakRssMb(server.pid) ?? 0)
  console.log(
    `window of ${rounds} rounds (${windowS.toFixed(1)} s): ${delivered} results in ${after.counts.messages - before.counts.messages} messages, ` +
      `${after.counts.errors} client errors, server CPU ${(cpuUs / 1e6).toFixed(1)} s, ${requests} remote requests, ` +
      `${healthMs.length} health probes; load average ${load()}`
  )
  console.log(`µs per subscriber-event: ${(cpuUs / delivered).toFixed(2)}`)
  // each round is one interval of the schedule (the next starts an interval, plus up to 10% jitter, after one ends)
  const ran = after.counts.rounds - before.counts.rounds
  console.log(`rounds in the window: ${ran}`)
  console.log(`requests per connection per interval: ${(requests / (connections * ran)).toFixed(2)}`)
  console.log(`health p99 ms: ${p99.toFixed(0)}`)
  console.log(`peak RSS: ${peak.toFixed(0)} MB`)
  clients.kill("SIGKILL")
  // a profile is written only by a clean exit, which a busy server may need longer for
  await stop(server.child, profile ? 120_000 : 10_000)
  await stop(remote.child)
  if (profile && !floor) console.log(`cpu profile of syncwatch in ${join(dir, "profiles")}`)
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error("[bench] broken run:", error instanceof Error ? error.message : error)
    process.exit(1)
  }
)
