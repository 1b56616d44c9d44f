import * as RunnerAddress from "@effect/cluster/RunnerAddress"
import * as RunnerHealth from "@effect/cluster/RunnerHealth"
import * as Runners from "@effect/cluster/Runners"
import type * as Sharding from "@effect/cluster/Sharding"
import * as ShardingConfig from "@effect/cluster/ShardingConfig"
import * as SocketRunner from "@effect/cluster/SocketRunner"
import * as SqlMessageStorage from "@effect/cluster/SqlMessageStorage"
import * as SqlRunnerStorage from "@effect/cluster/SqlRunnerStorage"
import { layerClientProtocol, layerSocketServer } from "@effect/platform-node/NodeClusterSocket"
import * as RpcSerialization from "@effect/rpc/RpcSerialization"
import * as PgClient from "@effect/sql-pg/PgClient"
import { Config, ConfigError, Duration, Effect, Layer, Option, Scope } from "effect"
import * as Identity from "./Cluster/Identity.js"
import * as Owners from "./Cluster/Owners.js"
import * as Reachable from "./Cluster/Reachable.js"
import * as Relay from "./Cluster/Relay.js"
import { databaseTimeout, postgresUrl } from "./Db/Target.js"
import * as Health from "./Health.js"
import * as Setting from "./Setting.js"

// Lock and heartbeat timings (docs/cluster.md, "Takeover"). A runner refreshes its shard locks and heartbeat every
// 5 s, and gives each refresh 5 s (the effective interval, min(refresh, expiry / 3)): a refresh late because the
// machine is loaded (an event loop or a database busy for seconds) is not taken for a lost database, which would
// release every shard and let another instance check them too (measured: 4 s lapsed at a load average of 12). A
// runner silent for 30 s (six refreshes) is dropped, one that stops answering pings is marked unhealthy within
// 5 s, assignments are re-read every second: a SIGKILLed runner's shards (its advisory locks went with its
// PostgreSQL session) move within about 5–15 s, inside the 30 s expiry.
export const TIMINGS = {
  shardLockRefreshInterval: Duration.seconds(5),
  shardLockExpiration: Duration.seconds(30),
  refreshAssignmentsInterval: Duration.seconds(1),
  runnerHealthCheckInterval: Duration.seconds(5)
} as const

const runnerConfig = Config.all({
  host: Config.string("CLUSTER_RUNNER_HOST").pipe(Config.withDefault("127.0.0.1")),
  port: Setting.port("CLUSTER_RUNNER_PORT").pipe(Config.withDefault(34431)),
  listenHost: Config.option(Config.string("CLUSTER_RUNNER_LISTEN_HOST"))
})

// the runner's socket server: a port in use stops the start naming the variable
const SocketServerLive = layerSocketServer.pipe(
  Layer.catchAll((error) =>
    Layer.fail(
      ConfigError.InvalidData(
        ["CLUSTER_RUNNER_PORT"],
        `the cluster runner cannot listen (${error.cause instanceof Error ? error.cause.message : error.reason}): give each instance its own CLUSTER_RUNNER_PORT`
      )
    )
  )
)

// what a runner and a client of the cluster both stand on: runners and messages stored in the same PostgreSQL
// (SqlRunnerStorage: shard ownership by advisory locks on a session of its own), sockets between runners
const over = <E, R>(
  sharding: Layer.Layer<Sharding.Sharding | Runners.Runners, E, R>,
  config: Partial<ShardingConfig.ShardingConfig["Type"]>
) =>
  sharding.pipe(
    Layer.provideMerge(Layer.orDie(SqlMessageStorage.layer)),
    Layer.provide(Layer.orDie(SqlRunnerStorage.layer)),
    Layer.provideMerge(ShardingConfig.layer({ ...TIMINGS, ...config })),
    Layer.provide(RpcSerialization.layerNdjson)
  )

// @effect/cluster over sockets between runners. A runner whose announced address does not reach it could not
// serve the shards it took (the others' asks and the monitor's moves would wait on it): such an instance joins as
// a client only (no shards; its rounds ask the owners), says so naming the address, and fails /health.
export const ShardingLive = Layer.unwrapEffect(
  Effect.gen(function* () {
    const { host, port, listenHost } = yield* runnerConfig
    const listen = Option.getOrElse(listenHost, () => host)
    const problem = yield* Reachable.check(listen, host, port)
    if (problem === undefined) {
      return over(
        SocketRunner.layer.pipe(
          Layer.provide(
            RunnerHealth.layerPing.pipe(Layer.provide(Runners.layerRpc), Layer.provide(layerClientProtocol))
          ),
          Layer.provide([SocketServerLive, layerClientProtocol])
        ),
        {
          runnerAddress: Option.some(RunnerAddress.make(host, port)),
          runnerListenAddress: Option.some(RunnerAddress.make(listen, port))
        }
      ).pipe(Layer.merge(Layer.succeed(Health.Problems, [])))
    }
    const reason = `this instance's cluster runner address ${host}:${port} (CLUSTER_RUNNER_HOST, CLUSTER_RUNNER_PORT) does not reach it: ${problem}`
    yield* Effect.logError(
      `The cluster: ${reason}. It takes no shards (its rounds ask the other instances) and /health answers 503; ` +
        "give CLUSTER_RUNNER_HOST an address the other instances reach"
    )
    return over(SocketRunner.layerClientOnly.pipe(Layer.provide(layerClientProtocol)), {
      runnerAddress: Option.none()
    }).pipe(Layer.merge(Layer.succeed(Health.Problems, [reason])))
  })
)

// the cluster's own pool on DATABASE_URL: runner and message storage, the shard-lock session, LISTEN
const PgLive = PgClient.layerConfig({
  url: postgresUrl,
  applicationName: Config.succeed("syncwatch-cluster"),
  maxConnections: Config.succeed(6),
  connectTimeout: databaseTimeout
}).pipe(
  Layer.catchAll((error) =>
    Layer.fail(
      error._tag === "SqlError"
        ? ConfigError.InvalidData(["DATABASE_URL"], "the cluster cannot reach PostgreSQL at DATABASE_URL")
        : error
    )
  )
)

// With the database lost, the cluster's release (shards, its runner row, the pool) can wait on it for long:
// a stopping instance gives it SHUTDOWN_LIMIT, then exits anyway (its locks went with its sessions)
const SHUTDOWN_LIMIT = Duration.seconds(5)
const releasedWithin = <A, E, R>(layer: Layer.Layer<A, E, R>) =>
  Layer.scopedContext(
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      yield* Effect.addFinalizer((exit) =>
        Scope.close(scope, exit).pipe(
          Effect.interruptible,
          Effect.disconnect,
          Effect.timeout(SHUTDOWN_LIMIT),
          Effect.catchAll(() => Effect.logWarning("The cluster did not stop in time; leaving it")),
          Effect.ignore
        )
      )
      return yield* Layer.buildWithScope(layer, scope)
    })
  )

// what several instances on one PostgreSQL add: the identity check first, then the relay and the cluster, whose
// shards say which instance checks each connection (Owners)
export const layer = releasedWithin(
  Layer.mergeAll(
    Owners.layer.pipe(Layer.provide(ShardingLive)),
    Layer.effect(Health.Problems, Health.Problems).pipe(Layer.provide(ShardingLive)),
    Relay.layer
  ).pipe(Layer.provideMerge(Identity.layer), Layer.provide(PgLive))
)
