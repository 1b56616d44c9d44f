import { createHmac } from "node:crypto"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Clock, Duration, Effect, Random, Redacted } from "effect"
import * as Metrics from "../Metrics.js"

// the header existing receivers verify: HMAC-SHA256 of the body alone, keyed with the secret's text
export const SIGNATURE_HEADER = "x-syncwatch-signature"
export const MAX_TRIES = 5
// the longest Retry-After honoured: a receiver cannot park a delivery for longer
export const MAX_RETRY_AFTER = Duration.hours(1)

export const sign = (body: string, secret: Redacted.Redacted<string>) =>
  `sha256=${createHmac("sha256", Redacted.value(secret)).update(body).digest("hex")}`

// Standard Webhooks: a `whsec_` secret is base64 after its prefix; any other secret is used as its text
export const standardKey = (secret: Redacted.Redacted<string>): Buffer => {
  const text = Redacted.value(secret)
  return text.startsWith("whsec_") ? Buffer.from(text.slice("whsec_".length), "base64") : Buffer.from(text, "utf8")
}

// webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">
export const standardSignature = (key: Buffer, id: string, timestampSeconds: number, body: string) =>
  `v1,${createHmac("sha256", key).update(`${id}.${timestampSeconds}.${body}`).digest("base64")}`

// the wait before try n + 1 (n from 1): 1 s, 2 s, 4 s… each times a jitter from 0.8 to 1.2
export const backoff = (tries: number) =>
  Effect.map(Random.nextRange(0.8, 1.2), (jitter) => Duration.millis(Math.round(1000 * 2 ** (tries - 1) * jitter)))

// Retry-After as seconds or as an HTTP date, at most MAX_RETRY_AFTER; undefined when absent or unreadable
export const retryAfter = (value: string | undefined, now: number): Duration.Duration | undefined => {
  if (value === undefined || value.trim() === "") return undefined
  const millis = /^\d+$/.test(value.trim()) ? Number(value.trim()) * 1000 : Date.parse(value) - now
  return Number.isNaN(millis) ? undefined : Duration.min(Duration.millis(Math.max(0, millis)), MAX_RETRY_AFTER)
}

export interface Event {
  // the same on every try: receivers use it as an idempotency key
  readonly id: string
  readonly body: string
}

export interface Endpoint {
  readonly url: string
  readonly secret: Redacted.Redacted<string>
  readonly timeoutMs: number
}

// One endpoint's deliveries: each event POSTed until a 2xx, at most MAX_TRIES times, backing off with jitter
// or as a 429's Retry-After says. A 410 disables the endpoint until restart (logged once, counted).
export const make = (endpoint: Endpoint) =>
  Effect.gen(function* () {
    const client = (yield* HttpClient.HttpClient).pipe(HttpClient.withTracerPropagation(false))
    const key = standardKey(endpoint.secret)
    let gone = false

    const attempt = (event: Event) =>
      Effect.gen(function* () {
        const timestamp = Math.floor((yield* Clock.currentTimeMillis) / 1000)
        const request = HttpClientRequest.post(endpoint.url).pipe(
          HttpClientRequest.bodyText(event.body, "application/json"),
          HttpClientRequest.setHeaders({
            "webhook-id": event.id,
            "webhook-timestamp": String(timestamp),
            "webhook-signature": standardSignature(key, event.id, timestamp, event.body),
            [SIGNATURE_HEADER]: sign(event.body, endpoint.secret)
          })
        )
        return yield* client.execute(request).pipe(
          Effect.map((response) => ({ status: response.status, retryAfter: response.headers["retry-after"] })),
          Effect.scoped,
          Effect.timeout(Duration.millis(endpoint.timeoutMs)),
          Effect.catchAll((error) => Effect.succeed({ status: 0, retryAfter: undefined, error: error._tag }))
        )
      })

    const deliver = (event: Event): Effect.Effect<void> =>
      Effect.gen(function* () {
        for (let tries = 1; ; tries++) {
          if (gone) return Metrics.alertDelivery("disabled")
          const answer = yield* attempt(event)
          if (answer.status >= 200 && answer.status < 300) return Metrics.alertDelivery("delivered")
          if (answer.status === 410) {
            if (!gone) {
              gone = true
              Metrics.alertDelivery("gone")
              yield* Effect.logError("Alert webhook answered 410 Gone: no more deliveries until restart")
            }
            return
          }
          if (tries >= MAX_TRIES) {
            Metrics.alertDelivery("failed")
            // the URL is not logged: webhook URLs often carry a secret in their path
            return yield* Effect.logWarning(`Alert webhook gave up after ${MAX_TRIES} tries`).pipe(
              Effect.annotateLogs({
                webhookId: event.id,
                error: "error" in answer ? answer.error : `http_${answer.status}`
              })
            )
          }
          const asked =
            answer.status === 429 ? retryAfter(answer.retryAfter, yield* Clock.currentTimeMillis) : undefined
          yield* Effect.sleep(asked ?? (yield* backoff(tries)))
        }
      })

    return { deliver } as const
  })
