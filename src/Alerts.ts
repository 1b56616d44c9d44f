import { Clock, Config, ConfigError, DateTime, Effect, Either, FiberSet, Option, Queue, Redacted } from "effect"
import * as Webhook from "./Alerts/Webhook.js"
import * as UuidV7 from "./Connections/UuidV7.js"
import { Connections } from "./Connections.js"
import { hostOfSite, type Incident, incidents } from "./Domain/Incidents.js"
import * as SiteUrl from "./Domain/SiteUrl.js"
import type { StatusChange } from "./Domain/StatusChange.js"
import { isHealthy } from "./Domain/Uptime.js"
import { History } from "./History.js"
import { Maintenances } from "./Maintenance.js"

import { peerTimeoutMs } from "./Peer/Timeout.js"
import * as Site from "./SiteConfig.js"

const changeJson = (change: StatusChange) => ({
  connectionUuid: change.connectionUuid,
  at: DateTime.formatIso(change.at),
  from: change.from,
  to: change.to,
  reason: change.reason
})

const webhookConfig = Config.all({
  url: Config.option(Config.string("ALERT_WEBHOOK_URL")),
  secret: Config.option(Config.redacted("ALERT_WEBHOOK_SECRET")),
  allowInternal: Site.allowInternalUrls
}).pipe(
  Config.mapOrFail(({ url, secret, allowInternal }) => {
    if (Option.isNone(url) || url.value.trim() === "") return Either.right(Option.none())
    // the same site-URL guard as a peer's: no webhook into our own network unless internal URLs are allowed
    const checked = SiteUrl.validate(url.value, { allowInternal })
    if (Either.isLeft(checked)) {
      const message = checked.left.message.replace(/^site_url/, "ALERT_WEBHOOK_URL")
      return Either.left(ConfigError.InvalidData(["ALERT_WEBHOOK_URL"], message))
    }
    if (Option.isNone(secret) || Redacted.value(secret.value) === "") {
      return Either.left(
        ConfigError.MissingData(["ALERT_WEBHOOK_SECRET"], "ALERT_WEBHOOK_SECRET must be set with ALERT_WEBHOOK_URL")
      )
    }
    return Either.right(Option.some({ url: checked.right, secret: secret.value }))
  })
)

// more than this share of at least 4 checked connections turning OFFLINE in one round: one "probably our side"
export const alertMassPercent = Config.integer("ALERT_MASS_PERCENT").pipe(
  Config.validate({
    message: "ALERT_MASS_PERCENT must be an integer from 0 to 100",
    validation: (n) => n >= 0 && n <= 100
  }),
  Config.withDefault(50)
)

// a reminder every N minutes while a connection stays in a bad outcome; 0: none
export const alertRepeatMinutes = Config.integer("ALERT_REPEAT_MINUTES").pipe(
  Config.validate({
    message: "ALERT_REPEAT_MINUTES must be an integer >= 0 (0: no reminders)",
    validation: (n) => n >= 0
  }),
  Config.withDefault(0)
)

const LIKELY_CAUSE =
  "Most connections checked in this round turned OFFLINE together: our network, DNS or egress is the likely cause, not the remote sites"

const eventOf = (incident: Incident) =>
  incident._tag === "OurSide"
    ? {
        type: "connections.probably_our_side",
        data: {
          likelyCause: LIKELY_CAUSE,
          checked: incident.checked,
          offline: incident.offline,
          changes: incident.changes.map(changeJson)
        }
      }
    : { type: "connection.status_changed", data: { host: incident.host, changes: incident.changes.map(changeJson) } }

interface Down {
  readonly change: StatusChange
  remindedAt: number
}

// ALERT_WEBHOOK_URL: the changes each round confirms, one delivery per incident (Domain/Incidents.ts), signed
// as Standard Webhooks and with X-Syncwatch-Signature, retried (Alerts/Webhook.ts). Changes of a connection
// under maintenance are not sent. Deliveries run on their own fibers: a webhook that is down never delays a
// round or loses a row.
export class Alerts extends Effect.Service<Alerts>()("syncwatch/Alerts", {
  scoped: Effect.gen(function* () {
    const webhook = yield* webhookConfig
    const massPercent = yield* alertMassPercent
    const repeatMinutes = yield* alertRepeatMinutes
    const timeoutMs = yield* peerTimeoutMs
    if (Option.isNone(webhook)) return { enabled: false as boolean }
    const history = yield* History
    const connections = yield* Connections
    const maintenances = yield* Maintenances
    const changes = yield* history.subscribeWritten
    const settled = yield* history.subscribeSettled
    const deliveries = yield* FiberSet.make()
    const endpoint = yield* Webhook.make({ ...webhook.value, timeoutMs })
    const nextId = yield* UuidV7.makeGenerator

    const send = (event: { readonly type: string; readonly data: unknown }) =>
      Effect.gen(function* () {
        const id = `msg_${yield* nextId}`
        const timestamp = DateTime.formatIso(DateTime.unsafeMake(yield* Clock.currentTimeMillis))
        const body = JSON.stringify({ type: event.type, timestamp, data: event.data })
        yield* FiberSet.run(deliveries, endpoint.deliver({ id, body }))
      })

    // the host of each change's site, read once a round that has changes or reminders due (a connection
    // deleted since is not in it); undefined when the store cannot say
    const hostsOf = (uuids: ReadonlySet<string>) =>
      connections.list().pipe(
        Effect.map(
          (all) => new Map(all.filter((c) => uuids.has(c.uuid)).map((c) => [c.uuid as string, hostOfSite(c.siteUrl)]))
        ),
        Effect.orElseSucceed(() => undefined)
      )

    // connections in a bad outcome, for ALERT_REPEAT_MINUTES
    const down = new Map<string, Down>()
    const repeatMillis = repeatMinutes * 60_000

    const remind = Effect.gen(function* () {
      if (repeatMillis === 0 || down.size === 0) return
      const now = yield* Clock.currentTimeMillis
      const due = Array.from(down.values()).filter(
        (d) => now - d.remindedAt >= repeatMillis && maintenances.covering(d.change.connectionUuid, now) === undefined
      )
      if (due.length === 0) return
      // a connection deleted while it was down is forgotten
      const existing = yield* hostsOf(new Set(due.map((d) => d.change.connectionUuid as string)))
      const still = existing === undefined ? due : due.filter((d) => existing.has(d.change.connectionUuid))
      for (const d of due) if (!still.includes(d)) down.delete(d.change.connectionUuid)
      if (still.length === 0) return
      for (const d of still) d.remindedAt = now
      yield* send({
        type: "connection.still_down",
        data: { changes: still.map((d) => changeJson(d.change)) }
      })
    })

    const settle = (checked: number) =>
      Effect.gen(function* () {
        const batch = Array.from(yield* Queue.takeAll(changes))
        const now = yield* Clock.currentTimeMillis
        for (const change of batch) {
          if (isHealthy(change.to.toLowerCase())) down.delete(change.connectionUuid)
          else down.set(change.connectionUuid, { change, remindedAt: now })
        }
        const told = batch.filter(
          (change) => maintenances.covering(change.connectionUuid, DateTime.toEpochMillis(change.at)) === undefined
        )
        if (told.length > 0) {
          const hosts = yield* hostsOf(new Set(told.map((change) => change.connectionUuid)))
          const hostOf = (c: StatusChange) => hosts?.get(c.connectionUuid) ?? null
          for (const incident of incidents(told, checked, massPercent, hostOf)) {
            yield* send(eventOf(incident))
          }
        }
        yield* remind
      })

    yield* Queue.take(settled).pipe(Effect.flatMap(settle), Effect.forever, Effect.forkScoped)
    return { enabled: true as boolean }
  })
}) {}
