import { Schema } from "effect"

// A check counts as up when the remote holds the connection: ACTIVE for a receiver, EXISTS for a sender
export const isHealthy = (outcome: string): boolean => outcome === "active" || outcome === "exists"

// OFFLINE had no answer: its duration is a timeout's or a refusal's, not a response time
export const isAnswered = (outcome: string): boolean => outcome !== "offline"

// Response-time buckets of an hour's rollup: a check counts in the first bucket whose bound (ms) it does not
// exceed; the last is unbounded. Quantiles are read as the bound of the bucket they fall in.
export const BUCKET_BOUNDS_MS = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000] as const
export const BUCKETS = BUCKET_BOUNDS_MS.length + 1

export const bucketOf = (durationMs: number): number => {
  for (let i = 0; i < BUCKET_BOUNDS_MS.length; i++) if (durationMs <= BUCKET_BOUNDS_MS[i]!) return i
  return BUCKET_BOUNDS_MS.length
}

// the bound of the bucket holding the q-quantile (the last bucket: its lower bound); null with no checks
export const quantileMs = (buckets: ReadonlyArray<number>, q: number): number | null => {
  const total = buckets.reduce((sum, n) => sum + n, 0)
  if (total === 0) return null
  const rank = Math.ceil(q * total)
  let seen = 0
  for (let i = 0; i < buckets.length; i++) {
    seen += buckets[i]!
    if (seen >= rank) return BUCKET_BOUNDS_MS[Math.min(i, BUCKET_BOUNDS_MS.length - 1)]!
  }
  return BUCKET_BOUNDS_MS[BUCKET_BOUNDS_MS.length - 1]!
}

export const UptimeWindow = Schema.Literal("day", "week", "month", "quarter")
export type UptimeWindow = typeof UptimeWindow.Type

export const WINDOW_HOURS: Record<UptimeWindow, number> = { day: 24, week: 24 * 7, month: 24 * 30, quarter: 24 * 90 }

export const HOUR_MS = 3_600_000
export const DAY_MS = 24 * HOUR_MS
export const hourOf = (millis: number): number => Math.floor(millis / HOUR_MS) * HOUR_MS

// one hour of one connection: checks outside maintenance (`checks`, of them `healthy`), checks under a
// maintenance window (not counted against uptime), and the response times of the answered ones
export interface HourRollup {
  readonly connectionUuid: string
  readonly hour: number
  checks: number
  healthy: number
  maintenance: number
  readonly buckets: Array<number>
}

export const emptyHour = (connectionUuid: string, hour: number): HourRollup => ({
  connectionUuid,
  hour,
  checks: 0,
  healthy: 0,
  maintenance: 0,
  buckets: new Array<number>(BUCKETS).fill(0)
})

// the counts of two rollups of the same hour
export const sum = (a: HourRollup, b: HourRollup) => ({
  checks: a.checks + b.checks,
  healthy: a.healthy + b.healthy,
  maintenance: a.maintenance + b.maintenance,
  buckets: a.buckets.map((n, i) => n + (b.buckets[i] ?? 0))
})

export interface Totals {
  readonly checks: number
  readonly healthy: number
  readonly maintenance: number
  readonly buckets: ReadonlyArray<number>
}

export const total = (hours: ReadonlyArray<HourRollup>): Totals => {
  const buckets = new Array<number>(BUCKETS).fill(0)
  let checks = 0
  let healthy = 0
  let maintenance = 0
  for (const hour of hours) {
    checks += hour.checks
    healthy += hour.healthy
    maintenance += hour.maintenance
    for (let i = 0; i < BUCKETS; i++) buckets[i]! += hour.buckets[i] ?? 0
  }
  return { checks, healthy, maintenance, buckets }
}

// a share from 0 to 1 of the checks outside maintenance; null with none
export const uptimeOf = (totals: Totals): number | null => (totals.checks === 0 ? null : totals.healthy / totals.checks)
