import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { SqlClient } from "@effect/sql"
import type { SqliteClient } from "@effect/sql-sqlite-node"
import { ConfigProvider, Effect, Layer, type Scope } from "effect"
import { SqlLive } from "../../src/Db.js"

// A config made only of these values (no environment); every other key takes its default.
export const configProvider = (values: Record<string, string>): ConfigProvider.ConfigProvider =>
  ConfigProvider.fromMap(new Map(Object.entries(values)))

export const withConfig = (values: Record<string, string>): Layer.Layer<never> =>
  Layer.setConfigProvider(configProvider(values))

// A fresh directory, removed with everything in it when the scope closes.
export const tempDir: Effect.Effect<string, never, Scope.Scope> = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "syncwatch-test-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

// SqlLive (WAL, migrations) on the given DATABASE_URL; the config is local to this layer.
export const sqlAt = (databaseUrl: string): Layer.Layer<SqlClient.SqlClient | SqliteClient.SqliteClient> =>
  Layer.scopedContext(
    Layer.build(SqlLive).pipe(Effect.withConfigProvider(configProvider({ DATABASE_URL: databaseUrl })))
  ).pipe(Layer.orDie)

// A real SQLite file in a fresh temp dir, new each time the layer is built (each `Effect.provide`,
// or once per suite with `it.layer`), deleted when its scope closes.
export const SqlTest: Layer.Layer<SqlClient.SqlClient | SqliteClient.SqliteClient> = Layer.unwrapScoped(
  Effect.map(tempDir, (dir) => sqlAt(join(dir, "syncwatch.db")))
)
