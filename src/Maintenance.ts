import { Context, DateTime, Duration, Effect, Layer, Option, Schedule } from "effect"
import * as UuidV7 from "./Connections/UuidV7.js"
import { Connections } from "./Connections.js"
import type { ConnectionUuid } from "./Domain/Connection.js"
import {
  type ConnectionNotFound,
  InvalidInput,
  type InvalidSiteUrl,
  MaintenanceNotFound,
  type StoreUnavailable
} from "./Domain/Errors.js"
import { MAX_WINDOW_DAYS, Maintenance } from "./Domain/Maintenance.js"
import * as SiteUrl from "./Domain/SiteUrl.js"
import { MaintenanceRepo } from "./Maintenance/Repo.js"
import { SharedRegistry } from "./SharedRegistry.js"

export interface CreateMaintenance {
  readonly siteUrl?: string | undefined
  readonly uuids?: ReadonlyArray<string> | undefined
  readonly startsAt: unknown
  readonly endsAt: unknown
  readonly reason?: string | undefined
}

export interface MaintenancesApi {
  // for a site's connections (those it has now) or for the given ones; nothing is written on a bad input
  readonly create: (
    input: CreateMaintenance
  ) => Effect.Effect<Maintenance, InvalidInput | InvalidSiteUrl | ConnectionNotFound | StoreUnavailable>
  // ends now (a window not started yet never starts)
  readonly end: (id: string) => Effect.Effect<Maintenance, MaintenanceNotFound | StoreUnavailable>
  // all, newest first; active: those covering now (true) or not (false)
  readonly list: (active?: boolean) => Effect.Effect<ReadonlyArray<Maintenance>, StoreUnavailable>
  // synchronous, from memory: the window covering the connection at `millis`, if any
  readonly covering: (uuid: string, millis: number) => Maintenance | undefined
  // the window covering the connection now, if any
  readonly current: (uuid: string) => Effect.Effect<Maintenance | null>
  readonly isActive: (maintenance: Maintenance) => Effect.Effect<boolean>
}

const toUtc = (field: string, value: unknown) =>
  Option.match(
    DateTime.isDateTime(value) ? Option.some(value) : typeof value === "string" ? DateTime.make(value) : Option.none(),
    {
      onNone: () => Effect.fail(new InvalidInput({ field, message: `${field} must be an ISO-8601 date-time` })),
      onSome: (dateTime) => Effect.succeed(DateTime.toUtc(dateTime))
    }
  )

const make = Effect.gen(function* () {
  const repo = yield* MaintenanceRepo
  const connections = yield* Connections
  const nextId = yield* UuidV7.makeGenerator
  const clock = yield* Effect.clock

  // the windows not over yet, by connection: most of the time none, and a check pays one size test
  let byUuid = new Map<string, ReadonlyArray<Maintenance>>()
  const index = (windows: ReadonlyArray<Maintenance>) => {
    const next = new Map<string, Array<Maintenance>>()
    for (const window of windows) {
      for (const uuid of window.connectionUuids) next.set(uuid, [...(next.get(uuid) ?? []), window])
    }
    byUuid = next
  }
  const reload = Effect.flatMap(DateTime.now, (now) => Effect.map(repo.list(now), index))
  yield* Effect.orDie(reload)
  // another instance's windows: read again every few seconds when several share the store
  if (yield* SharedRegistry) {
    yield* reload.pipe(Effect.ignore, Effect.repeat(Schedule.spaced(Duration.seconds(5))), Effect.forkScoped)
  }

  const covering = (uuid: string, millis: number) => {
    if (byUuid.size === 0) return undefined
    return byUuid.get(uuid)?.find((window) => window.covers(millis))
  }

  const uuidsOf = (input: CreateMaintenance) =>
    Effect.gen(function* () {
      const bySite = input.siteUrl != null
      const byUuids = input.uuids != null
      if (bySite === byUuids) {
        return yield* new InvalidInput({ field: "input", message: "give either siteUrl or uuids, not both" })
      }
      if (byUuids) {
        if (input.uuids!.length === 0) return yield* new InvalidInput({ field: "uuids", message: "uuids is empty" })
        return { siteUrl: null, uuids: (yield* connections.getMany(input.uuids!)).map((c) => c.uuid) }
      }
      // nothing is dialled: the URL only names the connections it matches
      const siteUrl = yield* SiteUrl.validate(input.siteUrl!, { allowInternal: true })
      const same = new Set([siteUrl, ...SiteUrl.sameSite(siteUrl)])
      const uuids = (yield* connections.list()).filter((c) => same.has(c.siteUrl)).map((c) => c.uuid)
      if (uuids.length === 0) {
        return yield* new InvalidInput({ field: "siteUrl", message: `no connection has the site ${siteUrl}` })
      }
      return { siteUrl, uuids }
    })

  const create = Effect.fn("Maintenances.create")(function* (input: CreateMaintenance) {
    const startsAt = yield* toUtc("startsAt", input.startsAt)
    const endsAt = yield* toUtc("endsAt", input.endsAt)
    if (!DateTime.greaterThan(endsAt, startsAt)) {
      return yield* new InvalidInput({ field: "endsAt", message: "endsAt must be after startsAt" })
    }
    if (DateTime.distance(startsAt, endsAt) > MAX_WINDOW_DAYS * 86_400_000) {
      return yield* new InvalidInput({ field: "endsAt", message: `a window may last at most ${MAX_WINDOW_DAYS} days` })
    }
    const reason = input.reason == null || input.reason.trim() === "" ? null : input.reason
    const { siteUrl, uuids } = yield* uuidsOf(input)
    const maintenance = new Maintenance({
      id: yield* nextId,
      siteUrl,
      connectionUuids: uuids as ReadonlyArray<ConnectionUuid>,
      startsAt,
      endsAt,
      reason,
      createdAt: DateTime.unsafeMake(clock.unsafeCurrentTimeMillis())
    })
    yield* repo.insert(maintenance)
    yield* reload
    return maintenance
  })

  const end = Effect.fn("Maintenances.end")(function* (id: string) {
    const [ended] = yield* repo.end(id, DateTime.unsafeMake(clock.unsafeCurrentTimeMillis()))
    if (ended === undefined) return yield* new MaintenanceNotFound({ id })
    yield* reload
    return ended
  })

  const list = Effect.fn("Maintenances.list")(function* (active?: boolean) {
    const all = yield* repo.list()
    if (active === undefined) return all
    const now = clock.unsafeCurrentTimeMillis()
    return all.filter((window) => window.covers(now) === active)
  })

  return {
    create,
    end,
    list,
    covering,
    current: (uuid) => Effect.sync(() => covering(uuid, clock.unsafeCurrentTimeMillis()) ?? null),
    isActive: (maintenance) => Effect.sync(() => maintenance.covers(clock.unsafeCurrentTimeMillis()))
  } satisfies MaintenancesApi
})

export class Maintenances extends Context.Tag("syncwatch/Maintenances")<Maintenances, MaintenancesApi>() {
  static readonly Default = Layer.scoped(Maintenances, make).pipe(Layer.provide(MaintenanceRepo.layer))
}
