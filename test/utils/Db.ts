import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { ConfigProvider, Effect, Layer, type Scope } from "effect"
import { type StoreKind, toFilename } from "../../src/Db/Target.js"
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
export const sqlAt = (databaseUrl: string): Layer.Layer<SqlClient.SqlClient | StoreKind> =>
  Layer.scopedContext(
    Layer.build(SqlLive).pipe(Effect.withConfigProvider(configProvider({ DATABASE_URL: databaseUrl })))
  ).pipe(Layer.orDie)

// A real SQLite file in a fresh temp dir, new each time the layer is built (each `Effect.provide`,
// or once per suite with `it.layer`), deleted when its scope closes.
export const SqlTest: Layer.Layer<SqlClient.SqlClient | StoreKind> = Layer.unwrapScoped(
  Effect.map(tempDir, (dir) => sqlAt(join(dir, "syncwatch.db")))
)

// A plain connection to the file of a running site, to look at its rows: SqlLive would be refused there,
// because the site holds the file's lock.
export const peekAt = (databaseUrl: string): Layer.Layer<SqlClient.SqlClient> =>
  SqliteClient.layer({ filename: toFilename(databaseUrl) }).pipe(Layer.orDie)

// a file whose header is fine but whose table pages are not: it opens, and only reading it shows the damage
export const damagedDatabase = (file: string): Effect.Effect<void> =>
  Effect.gen(function* () {
    yield* Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      for (let i = 0; i < 200; i++) {
        yield* sql`INSERT INTO connections ${sql.insert({
          uuid: `01900000-0000-7000-8000-${String(i).padStart(12, "0")}`,
          name: "x".repeat(200),
          direction: "sender",
          site_url: `https://s${i}.example.com`,
          status: "pending",
          inserted_at: "2026-05-13T10:00:00Z",
          updated_at: "2026-05-13T10:00:00Z"
        })}`
      }
    }).pipe(Effect.provide(sqlAt(file)), Effect.orDie)
    const bytes = readFileSync(file)
    if (bytes.length < 8 * 4096) throw new Error("the database is too small to damage")
    // pages 3 to 6 overwritten with noise, page 1 (the header and schema) left alone
    for (let i = 2 * 4096; i < 6 * 4096; i++) bytes[i] = (i * 31) % 251
    writeFileSync(file, bytes)
  })
