import * as RunnerAddress from "@effect/cluster/RunnerAddress"
import * as RunnerHealth from "@effect/cluster/RunnerHealth"
import * as Runners from "@effect/cluster/Runners"
import * as ShardingConfig from "@effect/cluster/ShardingConfig"
import * as Singleton from "@effect/cluster/Singleton"
import * as SocketRunner from "@effect/cluster/SocketRunner"
import * as SqlMessageStorage from "@effect/cluster/SqlMessageStorage"
import * as SqlRunnerStorage from "@effect/cluster/SqlRunnerStorage"
import { layerClientProtocol, layerSocketServer } from "@effect/platform-node/NodeClusterSocket"
import * as RpcSerialization from "@effect/rpc/RpcSerialization"
import * as PgClient from "@effect/sql-pg/PgClient"
import { Config, ConfigError, Duration, Effect, Layer, Option, Scope } from "effect"
import * as Identity from "./Cluster/Identity.js"
import * as Relay from "./Cluster/Relay.js"
import { databaseTimeout, postgresUrl } from "./Db/Target.js"
import * as Setting from "./Setting.js"
import { Watcher } from "./Watcher.js"

// Lock and heartbeat timings (docs/cluster.md): a runner refreshes its shard locks and its
// heartbeat every 2 s; one silent for 10 s is dropped from the runners every instance reads each second,
// and its shards (the monitor's among them) go to the others. Its advisory locks went with its
// PostgreSQL session, so a SIGKILLed runner is replaced in about 12 s, well inside 30 s.
export const TIMINGS = {
  shardLockRefreshInterval: Duration.seconds(2),
  shardLockExpiration: Duration.seconds(10),
  refreshAssignmentsInterval: Duration.seconds(1),
  runnerHealthCheckInterval: Duration.seconds(5)
} as const

const runnerConfig = Config.all({
  host: Config.string("CLUSTER_RUNNER_HOST").pipe(Config.withDefault("127.0.0.1")),
  port: Setting.port("CLUSTER_RUNNER_PORT").pipe(Config.withDefault(34431))
})

const ShardingConfigLive = Layer.unwrapEffect(
  Effect.map(runnerConfig, ({ host, port }) =>
    ShardingConfig.layer({ ...TIMINGS, runnerAddress: Option.some(RunnerAddress.make(host, port)) })
  )
)

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

// @effect/cluster over sockets between runners, runners and messages stored in the same PostgreSQL
// (SqlRunnerStorage: shard ownership by advisory locks on a session of its own)
export const ShardingLive = SocketRunner.layer.pipe(
  Layer.provide(RunnerHealth.layerPing.pipe(Layer.provide(Runners.layerRpc), Layer.provide(layerClientProtocol))),
  Layer.provide([SocketServerLive, layerClientProtocol]),
  Layer.provideMerge(Layer.orDie(SqlMessageStorage.layer)),
  Layer.provide(Layer.orDie(SqlRunnerStorage.layer)),
  Layer.provide(ShardingConfigLive),
  Layer.provide(RpcSerialization.layerNdjson)
)

// the monitor's rounds, once across the cluster: a singleton runs on the runner owning its shard and
// moves with it (the other choice, connections sharded to entities, would turn each check into a message
// through the message table: more writes per check than the check's own result, for no gain in a round)
const MonitorLive = Layer.unwrapEffect(
  Effect.map(Watcher, (watcher) =>
    Singleton.make(
      "syncwatch/monitor",
      Effect.zipRight(Effect.logInfo("The monitor's rounds run on this instance"), watcher.monitor).pipe(
        Effect.onInterrupt(() => Effect.logInfo("The monitor's rounds stopped on this instance"))
      )
    )
  )
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

// what several instances on one PostgreSQL add: the identity check first, then the relay and the cluster
export const layer = releasedWithin(
  Layer.mergeAll(MonitorLive.pipe(Layer.provide(ShardingLive)), Relay.layer).pipe(
    Layer.provideMerge(Identity.layer),
    Layer.provide(PgLive)
  )
)
