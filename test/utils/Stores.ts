import { join } from "node:path"
import type { SqlClient } from "@effect/sql"
import { Effect, type Layer, type Scope } from "effect"
import type { StoreKind } from "../../src/Db/Target.js"
import { SqlTest, tempDir } from "./Db.js"
import { PgTest, pgDatabase, pgUrl } from "./Pg.js"

export interface Store {
  readonly name: string
  // the app's store layer on a fresh database, gone with the layer's scope
  readonly layer: Layer.Layer<SqlClient.SqlClient | StoreKind>
  // a DATABASE_URL naming a fresh database, gone with the scope
  readonly databaseUrl: Effect.Effect<string, never, Scope.Scope>
}

// The store suite runs on both: `describe.each(STORES)("on $name", (store) => …)`
export const STORES: ReadonlyArray<Store> = [
  { name: "SQLite", layer: SqlTest, databaseUrl: Effect.map(tempDir, (dir) => join(dir, "syncwatch.db")) },
  { name: "PostgreSQL", layer: PgTest, databaseUrl: Effect.map(pgDatabase("the store suite"), pgUrl) }
]
