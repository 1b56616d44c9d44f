import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Layer, Scope, TestClock } from "effect"
import * as Tracing from "../src/Tracing.js"
import { SENDER_STATUSES, STATUS_EVENTS } from "./graphql/Documents.js"
import { CREATE, createReceiver, graphql, startRefused, startSite } from "./utils/App.js"
import { within, wsClient, wsSubscribe } from "./utils/Clients.js"
import { configProvider } from "./utils/Db.js"
import * as FakeSite from "./utils/FakeSite.js"
import { captureLogs, json, logfmt } from "./utils/Logs.js"

const ACTIVE_SENDER = FakeSite.json(200, { success: true, status: "active", name: "x" })

interface Span {
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId?: string
  readonly name: string
  readonly kind: number
  readonly attributes: ReadonlyArray<{ readonly key: string; readonly value: Record<string, unknown> }>
}

// every span the loopback collector received, decoded from the OTLP/HTTP JSON bodies
const received = (collector: FakeSite.FakeSite) =>
  Effect.map(collector.requests, (requests) =>
    requests.flatMap((request) => {
      assert.strictEqual(request.path, "/v1/traces")
      const body = request.body as {
        resourceSpans: ReadonlyArray<{ scopeSpans: ReadonlyArray<{ spans: ReadonlyArray<Span> }> }>
      }
      return body.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans))
    })
  )

const attribute = (span: Span, key: string) => {
  const value = span.attributes.find((a) => a.key === key)?.value
  return value === undefined ? undefined : String(Object.values(value)[0])
}

const only = (spans: ReadonlyArray<Span>, name: string) => {
  const found = spans.filter((span) => span.name === name)
  assert.lengthOf(found, 1, `one ${name} among ${spans.map((s) => s.name).join(", ")}`)
  return found[0]!
}

const PROPAGATION_HEADERS = ["traceparent", "tracestate", "b3", "x-b3-traceid", "baggage"]

describe("traces (OTEL_EXPORTER_OTLP_ENDPOINT)", () => {
  it.live(
    "one trace from the GraphQL request down to the peer calls: a sample of them, every failed one, counts on the round; no trace header reaches a peer",
    () => {
      const { lines, layer: capture } = captureLogs(json)
      return Effect.gen(function* () {
        const collector = yield* FakeSite.make(FakeSite.json(200, {}))
        const peer = yield* FakeSite.make(ACTIVE_SENDER)
        const nobody = yield* FakeSite.closedPort
        const registrar = yield* FakeSite.make(FakeSite.json(200, { success: true, status: "pending" }))
        const siteScope = yield* Scope.make()
        const site = yield* startSite({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, LOG_LEVEL: "debug" }).pipe(
          Scope.extend(siteScope)
        )
        const healthy = Tracing.SAMPLED + 5
        for (let i = 0; i < healthy; i++) yield* createReceiver(site, `${peer.url}/site-${i}`, `ok ${i}`)
        for (let i = 0; i < 2; i++) yield* createReceiver(site, `http://127.0.0.1:${nobody}/site-${i}`, `offline ${i}`)
        // the other kind of peer call (HttpClient): registering a sender at the remote
        const registered = yield* graphql(site.graphqlUrl, CREATE, {
          input: { name: "s", direction: "SENDER", siteUrl: registrar.url, notifyRemote: true }
        })
        assert.isUndefined(registered.errors)

        const result = yield* graphql(site.graphqlUrl, SENDER_STATUSES)
        assert.lengthOf(result.data?.["senderStatuses"], healthy + 2)
        // closing the site flushes the exporter
        yield* Scope.close(siteScope, Exit.void)
        const spans = yield* received(collector)

        const resolver = only(spans, "Query.senderStatuses")
        const request = spans.find((span) => span.spanId === resolver.parentSpanId)
        assert.isDefined(request, "the resolver's parent is exported")
        assert.strictEqual(request!.kind, 2, "a server span")
        assert.strictEqual(attribute(request!, "url.path"), "/graphql")
        assert.isUndefined(request!.parentSpanId, "the request is the trace's root")
        const round = only(spans, "Watcher.senderStatuses")
        assert.strictEqual(round.parentSpanId, resolver.spanId)
        assert.strictEqual(attribute(round, "peer.calls"), String(healthy + 2))
        assert.strictEqual(attribute(round, "peer.failed"), "2")

        const calls = spans.filter((span) => span.name === "PeerClient.get-connection-status")
        for (const call of calls) {
          assert.strictEqual(call.traceId, request!.traceId)
          assert.strictEqual(call.parentSpanId, round.spanId)
          assert.strictEqual(call.kind, 3, "a client span")
        }
        const failed = calls.filter((call) => attribute(call, "error.type") !== undefined)
        assert.lengthOf(failed, 2, "every failed call has its span")
        assert.isAtLeast(calls.length, Tracing.SAMPLED)
        assert.isAtMost(calls.length, Tracing.SAMPLED + 2, "the healthy calls past the sample are only counted")

        for (const recorded of [...(yield* peer.requests), ...(yield* registrar.requests)]) {
          for (const header of PROPAGATION_HEADERS) assert.notProperty(recorded.headers, header, recorded.path)
        }
        assert.lengthOf(yield* registrar.requests, 1)

        // the request's log lines carry its trace: the failed calls are logged (debug) inside it
        const entries = lines.map(
          (line) => JSON.parse(line) as { message: unknown; annotations: Record<string, unknown> }
        )
        const failures = entries.filter((entry) => String(entry.message).startsWith("peer call failed"))
        assert.isNotEmpty(failures)
        for (const entry of failures) {
          assert.strictEqual(entry.annotations["traceId"], request!.traceId)
          assert.include(
            spans.map((span) => span.spanId),
            entry.annotations["spanId"]
          )
        }
      }).pipe(Effect.scoped, Effect.provide(capture))
    }
  )

  it.live("over graphql-ws too: a subscription's round and its peer calls are in the upgrade request's trace", () =>
    Effect.gen(function* () {
      const collector = yield* FakeSite.make(FakeSite.json(200, {}))
      const peer = yield* FakeSite.make(ACTIVE_SENDER)
      const siteScope = yield* Scope.make()
      const site = yield* startSite({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url }).pipe(Scope.extend(siteScope))
      yield* createReceiver(site, peer.url)
      yield* Effect.gen(function* () {
        const operation = yield* wsSubscribe(yield* wsClient(site.port), STATUS_EVENTS)
        yield* Deferred.await(operation.done).pipe(within("one round over graphql-ws"))
      }).pipe(Effect.scoped)
      yield* Scope.close(siteScope, Exit.void)
      const spans = yield* received(collector)

      const resolver = only(spans, "Subscription.statusEvents")
      const upgrade = spans.find((span) => span.spanId === resolver.parentSpanId)
      assert.isDefined(upgrade, "the resolver's parent is exported")
      assert.strictEqual(attribute(upgrade!, "url.path"), "/graphql")
      assert.strictEqual(attribute(upgrade!, "http.request.header.upgrade"), "websocket")
      const round = only(spans, "Watcher.round")
      assert.strictEqual(round.parentSpanId, resolver.spanId)
      const call = only(spans, "PeerClient.get-connection-status")
      assert.strictEqual(call.parentSpanId, round.spanId)
      assert.strictEqual(call.traceId, upgrade!.traceId)
    }).pipe(Effect.scoped)
  )

  it.live("a collector that never answers holds no request and no check", () =>
    Effect.gen(function* () {
      const collector = yield* FakeSite.make(FakeSite.hang)
      const peer = yield* FakeSite.make(ACTIVE_SENDER)
      const site = yield* startSite({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url })
      for (let i = 0; i < 3; i++) yield* createReceiver(site, `${peer.url}/site-${i}`, `ok ${i}`)
      for (let round = 0; round < 3; round++) {
        const result = yield* graphql(site.graphqlUrl, SENDER_STATUSES).pipe(within("senderStatuses"))
        assert.lengthOf(result.data?.["senderStatuses"], 3)
      }
    }).pipe(Effect.scoped)
  )

  it.effect("an export that fails is a warning at most once a minute", () => {
    const { lines, layer: capture } = captureLogs(logfmt)
    return Effect.gen(function* () {
      let attempts = 0
      const refused = HttpClient.make((request) =>
        Effect.sync(() => attempts++).pipe(
          Effect.zipRight(
            Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", description: "refused" }))
          )
        )
      )
      const client = yield* Tracing.exportClient(refused)
      const exportOnce = Effect.ignore(client.execute(HttpClientRequest.post("http://127.0.0.1:1/v1/traces")))
      const warnings = () => lines.filter((line) => line.includes("Traces could not be exported")).length
      yield* exportOnce
      assert.strictEqual(warnings(), 1)
      yield* TestClock.adjust("30 seconds")
      yield* exportOnce
      yield* TestClock.adjust("29999 millis")
      yield* exportOnce
      assert.strictEqual(warnings(), 1)
      yield* TestClock.adjust("1 millis")
      yield* exportOnce
      assert.strictEqual(warnings(), 2)
      assert.strictEqual(attempts, 4)
      assert.notInclude(lines.join("\n"), "127.0.0.1:1", "the endpoint is not repeated in the logs")
    }).pipe(Effect.provide(capture))
  })

  it.effect("unset, no tracer is installed and the checks' sampling is off", () =>
    Effect.gen(function* () {
      const tracer = yield* Effect.tracer
      const [installed, enabled] = yield* Effect.all([Effect.tracer, Tracing.Enabled]).pipe(
        Effect.provide(
          Tracing.layer.pipe(
            Layer.provide(
              Layer.succeed(
                HttpClient.HttpClient,
                HttpClient.make(() => Effect.die("unused"))
              )
            )
          )
        ),
        Effect.withConfigProvider(configProvider({}))
      )
      assert.strictEqual(installed, tracer)
      assert.isFalse(enabled)
    })
  )

  it.live("another site's trace context is not taken (sync API, /health); the admin's, on /graphql, is", () =>
    Effect.gen(function* () {
      const collector = yield* FakeSite.make(FakeSite.json(200, {}))
      const siteScope = yield* Scope.make()
      const site = yield* startSite({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url }).pipe(Scope.extend(siteScope))
      const traceId = "4bf92f3577b34da6a3ce929d0e0e4736"
      const traceparent = `00-${traceId}-00f067aa0ba902b7-01`
      yield* Effect.promise(() =>
        Promise.all([
          fetch(`${site.siteUrl}/phoenix_kit/sync/api/status`, { headers: { traceparent } }).then((r) => r.text()),
          fetch(`${site.siteUrl}/health`, { headers: { traceparent } }).then((r) => r.text())
        ])
      )
      yield* graphql(site.graphqlUrl, "{ connections { uuid } }", undefined, { traceparent })
      yield* Scope.close(siteScope, Exit.void)
      const servers = (yield* received(collector)).filter((span) => span.kind === 2)
      const byPath = (path: string) => {
        const found = servers.find((span) => attribute(span, "url.path") === path)
        assert.isDefined(found, `a server span for ${path} among ${servers.map((s) => attribute(s, "url.path"))}`)
        return found!
      }
      for (const path of ["/phoenix_kit/sync/api/status", "/health"]) {
        assert.notStrictEqual(byPath(path).traceId, traceId, path)
        assert.isUndefined(byPath(path).parentSpanId, path)
      }
      assert.strictEqual(byPath("/graphql").traceId, traceId)
    }).pipe(Effect.scoped)
  )

  it.live("a bad OTEL_EXPORTER_OTLP_ENDPOINT stops the start, naming it", () =>
    Effect.gen(function* () {
      assert.match(
        yield* startRefused({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" }),
        /^OTEL_EXPORTER_OTLP_ENDPOINT: /
      )
    }).pipe(Effect.scoped)
  )
})
