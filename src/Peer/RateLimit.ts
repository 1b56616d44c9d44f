import * as RateLimiter from "@effect/experimental/RateLimiter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Config, Duration, Effect, Layer, Option } from "effect"
import * as Setting from "../Setting.js"
import { failure, Rejected } from "./Request.js"
import { forwardedClient, SyncSettings } from "./Settings.js"

export type Bucket = "api" | "register"

const perMinute = (name: string, fallback: number) =>
  Setting.integer(name, { min: 1, unit: "requests per minute" }).pipe(Config.withDefault(fallback))

// who is calling: the socket's address, or the proxy's word for it under TRUST_PROXY
export const clientAddress = (request: HttpServerRequest.HttpServerRequest, trustProxy: boolean): string => {
  const forwarded = trustProxy ? forwardedClient(request.headers["x-forwarded-for"]) : undefined
  return forwarded ?? Option.getOrElse(request.remoteAddress, () => "unknown")
}

// Token buckets per client address on the open sync API: a real peer (a few calls per connection and
// round, one registration) never empties them; a flood gets 429 with Retry-After before any work.
export const make = Effect.gen(function* () {
  const limiter = yield* RateLimiter.RateLimiter
  const settings = yield* SyncSettings
  const limits: Record<Bucket, number> = {
    api: yield* perMinute("SYNC_RATE_LIMIT", 3_000),
    register: yield* perMinute("REGISTER_RATE_LIMIT", 30)
  }
  return (bucket: Bucket) =>
    Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const key = `${bucket}:${clientAddress(request, settings.trustProxy)}`
      yield* limiter
        .consume({ algorithm: "token-bucket", onExceeded: "fail", window: "1 minute", limit: limits[bucket], key })
        .pipe(
          Effect.catchAll((error) => {
            // the memory store cannot fail; were it to, the request goes on unlimited
            if (!(error instanceof RateLimiter.RateLimitExceeded)) return Effect.void
            const seconds = Math.max(1, Math.ceil(Duration.toSeconds(error.retryAfter)))
            const response = failure(429, "Too many requests", { retry_after: seconds })
            return Effect.fail(
              new Rejected({ response: HttpServerResponse.setHeader(response, "retry-after", String(seconds)) })
            )
          })
        )
    })
})

// The library's memory store, with a bound: it keeps a bucket per key forever, so a crowd of addresses
// would grow it without end. Here the least recently seen keys go first; a forgotten bucket comes back
// full, which can only favour that caller, and a caller seen within the window is never forgotten first.
export const MAX_TRACKED_ADDRESSES = 100_000

export const boundedStoreMemory = (maxKeys: number) =>
  Layer.sync(RateLimiter.RateLimiterStore, () => {
    const buckets = new Map<string, { tokens: number; lastRefill: number }>()
    return RateLimiter.RateLimiterStore.of({
      fixedWindow: () => Effect.dieMessage("the sync API uses token buckets only"),
      tokenBucket: (options) =>
        Effect.clockWith((clock) =>
          Effect.sync(() => {
            const refillMillis = Duration.toMillis(options.refillRate)
            const now = clock.unsafeCurrentTimeMillis()
            const bucket = buckets.get(options.key) ?? { tokens: options.limit, lastRefill: now }
            const refills = Math.floor((now - bucket.lastRefill) / refillMillis)
            if (refills > 0) {
              bucket.tokens = Math.min(options.limit, bucket.tokens + refills)
              bucket.lastRefill += refills * refillMillis
            }
            // Map order is insertion order: re-inserting keeps the least recently seen first
            buckets.delete(options.key)
            buckets.set(options.key, bucket)
            for (const key of buckets.keys()) {
              if (buckets.size <= maxKeys) break
              buckets.delete(key)
            }
            const left = bucket.tokens - options.tokens
            if (options.allowOverflow || left >= 0) bucket.tokens = left
            return left
          })
        )
    })
  })

export const layer = RateLimiter.layer.pipe(Layer.provide(boundedStoreMemory(MAX_TRACKED_ADDRESSES)))
