import { Effect, Schedule } from "effect"
import * as Metrics from "../Metrics.js"

// The sync API's per-request lines are at debug; at info, one line a minute counts the requests by
// endpoint and status, so a flood shows as a number, not as a flood of lines.
export const make = Effect.gen(function* () {
  const counts = new Map<string, number>()
  const record = (endpoint: string, status: number) =>
    Effect.sync(() => {
      Metrics.syncApiRequest(endpoint, status)
      const key = `${endpoint}.${status}`
      counts.set(key, (counts.get(key) ?? 0) + 1)
    })
  const flush = Effect.suspend(() => {
    if (counts.size === 0) return Effect.void
    const byEndpoint = Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b)))
    const total = [...counts.values()].reduce((a, b) => a + b, 0)
    counts.clear()
    return Effect.logInfo("Sync API requests in the last minute").pipe(Effect.annotateLogs({ total, ...byEndpoint }))
  })
  yield* flush.pipe(Effect.schedule(Schedule.spaced("1 minute")), Effect.forever, Effect.forkScoped)
  return { record } as const
})
