import { join } from "node:path"
import { Cause, Effect, Layer, type Scope } from "effect"
import { ServerLive } from "../../src/Server.js"
import * as Startup from "../../src/Startup.js"
import { configProvider, tempDir } from "./Db.js"
import { freePort } from "./Ports.js"

export { freePort } from "./Ports.js"

export interface RunningSite {
  readonly port: number
  readonly siteUrl: string
  readonly graphqlUrl: string
  readonly databaseUrl: string
  readonly config: Record<string, string>
}

// The whole syncwatch server on 127.0.0.1 with its own SQLite file, exactly as `npm start` assembles it.
// Closing the scope shuts it down. `config` overrides the test defaults (any key of docs/configuration.md's table).
export const startSite = (config: Record<string, string> = {}): Effect.Effect<RunningSite, never, Scope.Scope> =>
  Effect.orDie(tryStartSite(config))

// the same, failing with whatever stopped the start (a ConfigError naming its variable…)
export const tryStartSite = (config: Record<string, string> = {}): Effect.Effect<RunningSite, unknown, Scope.Scope> =>
  Effect.gen(function* () {
    const port = yield* freePort
    const dir = yield* tempDir
    const siteUrl = `http://127.0.0.1:${port}`
    const values = {
      HOST: "127.0.0.1",
      PORT: String(port),
      SITE_URL: siteUrl,
      ALLOW_INTERNAL_URLS: "true",
      DATABASE_URL: join(dir, "syncwatch.db"),
      // on PostgreSQL the cluster's runner listens too: never the shared default port in tests
      CLUSTER_RUNNER_PORT: String(yield* freePort),
      LOG_LEVEL: "warning",
      ...config
    }
    yield* Layer.build(ServerLive).pipe(Effect.withConfigProvider(configProvider(values)))
    const listening = Number(values.PORT)
    return {
      port: listening,
      siteUrl: values.SITE_URL,
      graphqlUrl: `http://127.0.0.1:${listening}/graphql`,
      databaseUrl: values.DATABASE_URL,
      config: values
    }
  })

// what stops the start under `config`, as the process says it on stderr: `NAME: why`
export const startRefused = (config: Record<string, string>) =>
  Effect.map(Effect.flip(tryStartSite(config)), (error) => Startup.describe(Cause.fail(error)))

// Restart-friendly variant: the same config (and so the same database file and port) started again.
export const restartSite = (site: RunningSite): Effect.Effect<RunningSite, never, Scope.Scope> => startSite(site.config)

export const graphql = (
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {}
) =>
  Effect.promise(async () => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", ...headers },
      body: JSON.stringify({ query, variables })
    })
    return (await response.json()) as {
      readonly data?: Record<string, any> | null
      readonly errors?: ReadonlyArray<{ readonly message: string; readonly extensions?: { readonly code?: string } }>
      readonly extensions?: Record<string, any>
    }
  })

export const CREATE = `mutation ($input: CreateConnectionInput!) {
  createConnection(input: $input) { connection { uuid status } authToken }
}`

// a connection made through the site's own API, as an admin would; its uuid. A refusal dies, with its errors.
export const create = (site: RunningSite, input: Record<string, unknown>, headers: Record<string, string> = {}) =>
  Effect.flatMap(graphql(site.graphqlUrl, CREATE, { input }, headers), (result) => {
    const uuid = result.data?.["createConnection"]?.["connection"]?.["uuid"]
    return typeof uuid === "string"
      ? Effect.succeed(uuid)
      : Effect.die(new Error(`createConnection failed: ${JSON.stringify(result.errors)}`))
  })

export const createReceiver = (
  site: RunningSite,
  siteUrl: string,
  name = "receiver",
  headers: Record<string, string> = {}
) => create(site, { name, direction: "RECEIVER", siteUrl }, headers)

// a sender the remote confirmed, so a status round verifies it (and may apply the severed rule)
export const createRegisteredSender = (
  site: RunningSite,
  siteUrl: string,
  name = "sender",
  headers: Record<string, string> = {}
) => create(site, { name, direction: "SENDER", siteUrl, status: "ACTIVE", remoteNotified: true }, headers)
