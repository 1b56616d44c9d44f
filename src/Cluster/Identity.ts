import * as SqlClient from "@effect/sql/SqlClient"
import { ConfigError, Effect, Layer } from "effect"
import { SiteConfig } from "../SiteConfig.js"

// Remotes know us by one URL: the first instance to start on a registry writes its SITE_URL, every later one
// must give the same (an instance announcing another URL would have its connections looked up under it)
export const check = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const { siteUrl } = yield* SiteConfig
  yield* sql`CREATE TABLE IF NOT EXISTS syncwatch_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)`
  yield* sql`INSERT INTO syncwatch_settings (key, value) VALUES ('site_url', ${siteUrl}) ON CONFLICT (key) DO NOTHING`
  const rows = yield* sql<{ value: string }>`SELECT value FROM syncwatch_settings WHERE key = 'site_url'`
  const registered = rows[0]?.value ?? siteUrl
  if (registered !== siteUrl) {
    return yield* Effect.fail(
      ConfigError.InvalidData(
        ["SITE_URL"],
        `SITE_URL is ${siteUrl}, but the other instances on this DATABASE_URL run as ${registered}: ` +
          "every instance of one registry must give the same SITE_URL (remotes know us by one URL)"
      )
    )
  }
})

export const layer = Layer.effectDiscard(check)
