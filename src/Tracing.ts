import * as OtlpSerialization from "@effect/opentelemetry/OtlpSerialization"
import * as OtlpTracer from "@effect/opentelemetry/OtlpTracer"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import {
  Clock,
  Config,
  ConfigError,
  Context,
  Effect,
  Either,
  type Exit,
  FiberRef,
  FiberRefs,
  HashMap,
  HashSet,
  Layer,
  Logger,
  Option,
  Tracer
} from "effect"

// true when OTEL_EXPORTER_OTLP_ENDPOINT is set: code that would pay per check for its spans asks once, at start
export class Enabled extends Context.Reference<Enabled>()("syncwatch/Tracing/Enabled", { defaultValue: () => false }) {}

export const WARN_EVERY_MS = 60_000
const EXPORT_TIMEOUT = "10 seconds"

// The exporter's own client: each attempt under a deadline, a failure a warning at most once a minute. The
// exporter pushes spans into a buffer and sends them from its own fiber, so an endpoint that is down or
// slow never holds a request or a check; the spans of a failed batch are dropped.
export const exportClient = (client: HttpClient.HttpClient): Effect.Effect<HttpClient.HttpClient> =>
  Effect.sync(() => {
    let warnedAt = Number.NEGATIVE_INFINITY
    const warn = (error: HttpClientError.HttpClientError) =>
      Effect.clockWith((clock) => {
        const now = clock.unsafeCurrentTimeMillis()
        if (now - warnedAt < WARN_EVERY_MS) return Effect.void
        warnedAt = now
        return Effect.logWarning("Traces could not be exported (OTEL_EXPORTER_OTLP_ENDPOINT); said once a minute").pipe(
          Effect.annotateLogs("reason", error._tag === "RequestError" ? error.reason : `HTTP ${error.response.status}`)
        )
      })
    return client.pipe(
      HttpClient.filterStatusOk,
      HttpClient.transform((response, request) =>
        Effect.timeoutFail(response, {
          duration: EXPORT_TIMEOUT,
          onTimeout: () => new HttpClientError.RequestError({ request, reason: "Transport", description: "timeout" })
        })
      ),
      HttpClient.tapError(warn)
    )
  })

// every log line written under a span carries its trace and span ids
const withTraceIds = <M, O>(logger: Logger.Logger<M, O>): Logger.Logger<M, O> =>
  Logger.mapInputOptions(logger, (options) => {
    const span = Context.getOption(FiberRefs.getOrDefault(options.context, FiberRef.currentContext), Tracer.ParentSpan)
    if (Option.isNone(span)) return options
    const { traceId, spanId } = span.value
    return {
      ...options,
      annotations: HashMap.set(HashMap.set(options.annotations, "traceId", traceId), "spanId", spanId)
    }
  })

const endpoint = Config.string("OTEL_EXPORTER_OTLP_ENDPOINT").pipe(
  Config.withDefault(""),
  Config.mapOrFail((value) => {
    const trimmed = value.trim()
    if (trimmed === "") return Either.right(Option.none<string>())
    const url = Option.liftThrowable(() => new URL(trimmed))()
    return Option.isSome(url) && (url.value.protocol === "http:" || url.value.protocol === "https:")
      ? Either.right(Option.some(trimmed.replace(/\/+$/, "")))
      : Either.left(
          ConfigError.InvalidData(
            ["OTEL_EXPORTER_OTLP_ENDPOINT"],
            "must be an http(s) URL like http://127.0.0.1:4318 (the collector's OTLP/HTTP base)"
          )
        )
  })
)

// Spans exported over OTLP/HTTP (JSON) to OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces when it is set; unset, no
// tracer is installed and nothing is exported. Needs an HttpClient of its own (not the peers').
export const layer = Layer.unwrapEffect(
  Effect.gen(function* () {
    const base = yield* endpoint
    const serviceName = yield* Config.string("OTEL_SERVICE_NAME").pipe(Config.withDefault("syncwatch"))
    if (Option.isNone(base)) return Layer.empty
    return Layer.mergeAll(
      OtlpTracer.layer({ url: `${base.value}/v1/traces`, resource: { serviceName } }),
      Layer.succeed(Enabled, true),
      Layer.scopedDiscard(Effect.locallyScopedWith(FiberRef.currentLoggers, HashSet.map(withTraceIds)))
    ).pipe(
      Layer.provide(OtlpSerialization.layerJson),
      Layer.provide(Layer.effect(HttpClient.HttpClient, Effect.flatMap(HttpClient.HttpClient, exportClient)))
    )
  })
)

// A span for each of the first SAMPLED calls under one parent (a round, an operation) and for every failed
// call; the rest are counted on the parent (peer.calls, peer.failed), so 10,000 checks are not 10,000 spans.
// Each span is made when its call ends, with the call's own start. Installed only when tracing is on.
export const SAMPLED = 10
interface Tally {
  calls: number
  failed: number
}
const tallies = new WeakMap<Tracer.Span, Tally>()

export const peerCall =
  <A, E>(name: string, failed: (exit: Exit.Exit<A, E>) => boolean, attributes: (exit: Exit.Exit<A, E>) => object) =>
  (self: Effect.Effect<A, E>): Effect.Effect<A, E> =>
    Effect.withFiberRuntime((fiber) => {
      const parent = fiber.currentSpan
      if (parent === undefined || parent._tag !== "Span") return self
      const tracer = fiber.currentTracer
      const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
      const now = () => clock.unsafeCurrentTimeNanos()
      const started = now()
      return Effect.onExit(self, (exit) =>
        Effect.sync(() => {
          let tally = tallies.get(parent)
          if (tally === undefined) {
            tally = { calls: 0, failed: 0 }
            tallies.set(parent, tally)
          }
          const bad = failed(exit)
          tally.calls++
          if (bad) tally.failed++
          parent.attribute("peer.calls", tally.calls)
          parent.attribute("peer.failed", tally.failed)
          if (tally.calls > SAMPLED && !bad) return
          const span = tracer.span(name, Option.some(parent), Context.empty(), [], started, "client")
          for (const [key, value] of Object.entries(attributes(exit))) span.attribute(key, value)
          span.end(now(), exit)
        })
      )
    })
