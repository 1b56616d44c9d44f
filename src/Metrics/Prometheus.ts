import * as OtelMetrics from "@effect/opentelemetry/Metrics"
import * as Resource from "@effect/opentelemetry/Resource"
import * as HttpLayerRouter from "@effect/platform/HttpLayerRouter"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as SqlClient from "@effect/sql/SqlClient"
import { PrometheusExporter, PrometheusSerializer } from "@opentelemetry/exporter-prometheus"
import { Config, Context, Effect, Layer, Option } from "effect"
import { ConnectionStatus, Direction } from "../Domain/Connection.js"
import * as Metrics from "../Metrics.js"

// The gauge of connections is read from the table when scraped: exact, and nothing to keep in step
// on every write.
const countConnections = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ direction: string; status: string; n: number }>`
    SELECT direction, status, CAST(COUNT(*) AS INTEGER) AS n FROM connections GROUP BY direction, status`
  const count = new Map(rows.map((row) => [`${row.direction}.${row.status}`, row.n]))
  for (const direction of Direction.literals) {
    for (const status of ConnectionStatus.literals) {
      Metrics.connections(direction, status).unsafeUpdate(count.get(`${direction}.${status}`) ?? 0, [])
    }
  }
})

const route = (exporter: PrometheusExporter) => {
  const serializer = new PrometheusSerializer(undefined, false, undefined, true, true)
  return HttpLayerRouter.add(
    "GET",
    "/metrics",
    Effect.gen(function* () {
      yield* countConnections.pipe(
        Effect.catchAll((error) => Effect.logWarning("Connections could not be counted for /metrics", error))
      )
      const { resourceMetrics } = yield* Effect.promise(() => exporter.collect())
      return HttpServerResponse.text(serializer.serialize(resourceMetrics), {
        contentType: "text/plain; version=0.0.4; charset=utf-8"
      })
    })
  )
}

// OpenTelemetry's Prometheus exporter (its own listener never started) reading the Effect metrics;
// none when METRICS_ENABLED=false. Provided beneath the routes, so a bad value stops the start before
// the server announces itself.
export class Exporter extends Context.Tag("syncwatch/Metrics/Exporter")<
  Exporter,
  Option.Option<PrometheusExporter>
>() {}

export const ExporterLive = Layer.unwrapEffect(
  Effect.map(Config.boolean("METRICS_ENABLED").pipe(Config.withDefault(true)), (enabled) => {
    if (!enabled) return Layer.succeed(Exporter, Option.none())
    const exporter = new PrometheusExporter({ preventServerStart: true })
    return Layer.merge(
      Layer.succeed(Exporter, Option.some(exporter)),
      OtelMetrics.layer(() => exporter)
    ).pipe(Layer.provide(Resource.layer({ serviceName: "syncwatch" })))
  })
)

// GET /metrics in the Prometheus text format; nothing there (404) when metrics are off
export const RouteLive = Layer.unwrapEffect(
  Effect.map(Exporter, Option.match({ onNone: () => Layer.empty, onSome: route }))
)
