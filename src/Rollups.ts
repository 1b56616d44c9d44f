import { Config, Context, Duration, Effect, Layer, Schedule } from "effect"
import { InvalidInput, type StoreUnavailable } from "./Domain/Errors.js"
import {
  bucketOf,
  DAY_MS,
  emptyHour,
  HOUR_MS,
  type HourRollup,
  hourOf,
  isAnswered,
  isHealthy,
  quantileMs,
  sum,
  total,
  type UptimeWindow,
  uptimeOf,
  WINDOW_HOURS
} from "./Domain/Uptime.js"
import { Maintenances } from "./Maintenance.js"
import { RollupsRepo } from "./Rollups/Repo.js"
import * as WriteBehind from "./WriteBehind.js"

export const rollupRetentionDays = Config.integer("ROLLUP_RETENTION_DAYS").pipe(
  Config.validate({ message: "ROLLUP_RETENTION_DAYS must be an integer >= 1", validation: (n) => n >= 1 }),
  Config.withDefault(90)
)

export interface ResponseTime {
  readonly p50Ms: number | null
  readonly p95Ms: number | null
  // the answered checks the figures are of (OFFLINE has no response time)
  readonly checks: number
}

export interface DailyStatus {
  // the UTC day, YYYY-MM-DD
  readonly date: string
  readonly uptime: number | null
  // checks outside maintenance, of them healthy, and checks under maintenance
  readonly checks: number
  readonly healthy: number
  readonly maintenance: number
  readonly p50Ms: number | null
  readonly p95Ms: number | null
}

export interface RollupsApi {
  // synchronous, from a check's callback: one check counted in its connection's hour (a map lookup and a few adds)
  readonly add: (uuid: string, checkedAtMillis: number, outcome: string, durationMs: number) => void
  readonly forget: (uuid: string) => void
  readonly flush: Effect.Effect<void>
  readonly uptime: (uuid: string, window: UptimeWindow) => Effect.Effect<number | null, StoreUnavailable>
  readonly responseTime: (uuid: string, window: UptimeWindow) => Effect.Effect<ResponseTime, StoreUnavailable>
  readonly daily: (
    uuid: string,
    days?: number
  ) => Effect.Effect<ReadonlyArray<DailyStatus>, InvalidInput | StoreUnavailable>
}

const responseTimeOf = (buckets: ReadonlyArray<number>): ResponseTime => ({
  p50Ms: quantileMs(buckets, 0.5),
  p95Ms: quantileMs(buckets, 0.95),
  checks: buckets.reduce((sum, n) => sum + n, 0)
})

// Per connection and hour: checks, healthy ones, checks under maintenance and response-time buckets, counted
// in memory as checks complete and written behind (added to the store's hour) every 10 minutes, when many hours
// are pending, before a read and when the server stops. Kept ROLLUP_RETENTION_DAYS.
const make = Effect.gen(function* () {
  const repo = yield* RollupsRepo
  const maintenances = yield* Maintenances
  const retentionDays = yield* rollupRetentionDays
  const clock = yield* Effect.clock

  // each connection's current hour, and hours it left since the last write
  let current = new Map<string, HourRollup>()
  let closed: Array<HourRollup> = []
  let removed = new Set<string>()
  const pendingCount = () => current.size + closed.length + removed.size

  // one row per connection and hour (PostgreSQL refuses to update one row twice in a statement): an hour put
  // back after a refused write is merged with the same hour counted since
  const merged = (hours: ReadonlyArray<HourRollup>) => {
    const byKey = new Map<string, HourRollup>()
    for (const hour of hours) {
      const key = `${hour.connectionUuid}\u0000${hour.hour}`
      const into = byKey.get(key)
      if (into === undefined) byKey.set(key, hour)
      else byKey.set(key, { ...into, ...sum(into, hour) })
    }
    return Array.from(byKey.values())
  }

  // a batch: the hours to add, and the uuids of deleted connections (their rows removed)
  const writer = yield* WriteBehind.make<ReadonlyArray<HourRollup | string>>({
    name: "Rollups",
    // an hour each of 50,000 connections: a round never waits for a write, the timer takes them
    limit: 50_000,
    pending: pendingCount,
    take: () => {
      if (pendingCount() === 0) return undefined
      const batch = [...removed, ...merged([...closed, ...current.values()])]
      current = new Map()
      closed = []
      removed = new Set()
      return batch
    },
    putBack: (batch) => {
      for (const entry of batch) {
        if (typeof entry === "string") removed.add(entry)
        else if (!removed.has(entry.connectionUuid)) closed.push(entry)
      }
    },
    write: (batch) =>
      repo.add(
        batch.filter((entry): entry is HourRollup => typeof entry !== "string"),
        batch.filter((entry): entry is string => typeof entry === "string")
      )
  })

  const add = (uuid: string, checkedAtMillis: number, outcome: string, durationMs: number) => {
    const hour = hourOf(checkedAtMillis)
    let rollup = current.get(uuid)
    if (rollup === undefined || rollup.hour !== hour) {
      if (rollup !== undefined) closed.push(rollup)
      rollup = emptyHour(uuid, hour)
      current.set(uuid, rollup)
      writer.added()
    }
    if (maintenances.covering(uuid, checkedAtMillis) !== undefined) rollup.maintenance++
    else {
      rollup.checks++
      if (isHealthy(outcome)) rollup.healthy++
    }
    if (isAnswered(outcome)) rollup.buckets[bucketOf(durationMs)]!++
  }

  const forget = (uuid: string) => {
    current.delete(uuid)
    closed = closed.filter((hour) => hour.connectionUuid !== uuid)
    removed.add(uuid)
  }

  const hoursSince = (uuid: string, from: number) => Effect.zipRight(writer.flush, repo.since(uuid, from))
  const lastHours = (uuid: string, window: UptimeWindow) =>
    hoursSince(uuid, hourOf(clock.unsafeCurrentTimeMillis()) - (WINDOW_HOURS[window] - 1) * HOUR_MS)

  const uptime = Effect.fn("Rollups.uptime")(function* (uuid: string, window: UptimeWindow) {
    return uptimeOf(total(yield* lastHours(uuid, window)))
  })

  const responseTime = Effect.fn("Rollups.responseTime")(function* (uuid: string, window: UptimeWindow) {
    return responseTimeOf(total(yield* lastHours(uuid, window)).buckets)
  })

  // the last `days` UTC days, oldest first, today included; a day without checks has a null uptime
  const daily = Effect.fn("Rollups.daily")(function* (uuid: string, days = 90) {
    if (!Number.isInteger(days) || days < 1 || days > retentionDays) {
      return yield* new InvalidInput({
        field: "days",
        message: `days must be an integer from 1 to ${retentionDays} (ROLLUP_RETENTION_DAYS)`
      })
    }
    const today = Math.floor(clock.unsafeCurrentTimeMillis() / DAY_MS) * DAY_MS
    const first = today - (days - 1) * DAY_MS
    const byDay = new Map<number, Array<HourRollup>>()
    for (const hour of yield* hoursSince(uuid, first)) {
      const day = Math.floor(hour.hour / DAY_MS) * DAY_MS
      byDay.set(day, [...(byDay.get(day) ?? []), hour])
    }
    return Array.from({ length: days }, (_, i): DailyStatus => {
      const day = first + i * DAY_MS
      const totals = total(byDay.get(day) ?? [])
      return {
        date: new Date(day).toISOString().slice(0, 10),
        uptime: uptimeOf(totals),
        checks: totals.checks,
        healthy: totals.healthy,
        maintenance: totals.maintenance,
        p50Ms: quantileMs(totals.buckets, 0.5),
        p95Ms: quantileMs(totals.buckets, 0.95)
      }
    })
  })

  // written every 10 minutes at least: what a crash can lose
  yield* writer.flush.pipe(Effect.repeat(Schedule.spaced(Duration.minutes(10))), Effect.forkScoped)
  const prune = Effect.suspend(() => repo.pruneBefore(clock.unsafeCurrentTimeMillis() - retentionDays * DAY_MS))
  yield* Effect.zipRight(writer.flush, prune).pipe(
    Effect.catchTag("StoreUnavailable", (error) => Effect.logWarning("Rollups: the hourly prune was skipped", error)),
    Effect.repeat(Schedule.fixed(Duration.hours(1))),
    Effect.forkScoped
  )

  return { add, forget, flush: writer.flush, uptime, responseTime, daily } satisfies RollupsApi
})

export class Rollups extends Context.Tag("syncwatch/Rollups")<Rollups, RollupsApi>() {
  static readonly Default = Layer.scoped(Rollups, make).pipe(Layer.provide(RollupsRepo.layer))
}
