import { createHmac } from "node:crypto"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import {
  Config,
  ConfigError,
  DateTime,
  Duration,
  Effect,
  Either,
  FiberSet,
  Option,
  Queue,
  Redacted,
  Schedule
} from "effect"
import * as SiteUrl from "./Domain/SiteUrl.js"
import type { StatusChange } from "./Domain/StatusChange.js"
import { History } from "./History.js"
import { peerTimeoutMs } from "./Peer/Timeout.js"
import * as Site from "./SiteConfig.js"

export const SIGNATURE_HEADER = "x-syncwatch-signature"
export const MAX_TRIES = 5

export const sign = (body: string, secret: Redacted.Redacted<string>) =>
  `sha256=${createHmac("sha256", Redacted.value(secret)).update(body).digest("hex")}`

export const toJson = (change: StatusChange) =>
  JSON.stringify({
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

// ALERT_WEBHOOK_URL: every history row POSTed as signed JSON, retried with exponential backoff.
// Deliveries run on their own fibers: a webhook that is down never delays a round or loses a row.
export class Alerts extends Effect.Service<Alerts>()("syncwatch/Alerts", {
  scoped: Effect.gen(function* () {
    const webhook = yield* webhookConfig
    const timeoutMs = yield* peerTimeoutMs
    if (Option.isNone(webhook)) return { enabled: false as boolean }
    const { url, secret } = webhook.value
    const history = yield* History
    const changes = yield* history.subscribeWritten
    const deliveries = yield* FiberSet.make()
    const client = (yield* HttpClient.HttpClient).pipe(
      HttpClient.filterStatusOk,
      HttpClient.withTracerPropagation(false),
      HttpClient.withScope
    )
    const retry = Schedule.exponential(Duration.seconds(1)).pipe(Schedule.intersect(Schedule.recurs(MAX_TRIES - 1)))

    const deliver = (change: StatusChange) => {
      const body = toJson(change)
      const request = HttpClientRequest.post(url).pipe(
        HttpClientRequest.bodyText(body, "application/json"),
        HttpClientRequest.setHeader(SIGNATURE_HEADER, sign(body, secret))
      )
      return client.execute(request).pipe(
        Effect.scoped,
        Effect.timeout(Duration.millis(timeoutMs)),
        Effect.retry(retry),
        // the URL is not logged: webhook URLs often carry a secret in their path
        Effect.catchAll((error) =>
          Effect.logWarning(`Alert webhook gave up after ${MAX_TRIES} tries`).pipe(
            Effect.annotateLogs({
              connectionUuid: change.connectionUuid,
              error: error._tag === "ResponseError" ? `http_${error.response.status}` : error._tag
            })
          )
        )
      )
    }

    yield* Queue.take(changes).pipe(
      Effect.flatMap((change) => FiberSet.run(deliveries, deliver(change))),
      Effect.forever,
      Effect.forkScoped
    )
    return { enabled: true as boolean }
  })
}) {}
