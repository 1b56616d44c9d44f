import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Scope } from "effect"
import * as Migrations from "../src/Connections/Migrations.js"
import { SqlLive } from "../src/Db.js"
import { configProvider, damagedDatabase, sqlAt, tempDir } from "./utils/Db.js"
import { pgDatabase, pgUrl } from "./utils/Pg.js"

const openWith = (databaseUrl: string) =>
  Layer.build(SqlLive).pipe(Effect.withConfigProvider(configProvider({ DATABASE_URL: databaseUrl })))

const tables = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
  return rows.map((row) => row.name)
})

describe("SqlLive", () => {
  it.scoped("creates the missing directory of DATABASE_URL, runs the migrations, uses WAL", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const result = yield* Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const [mode] = yield* sql<{ journal_mode: string }>`PRAGMA journal_mode`
        return { tables: yield* tables, mode: mode?.journal_mode }
      }).pipe(Effect.provide(sqlAt(join(dir, "not", "yet", "there.db"))))
      assert.include(result.tables, "connections")
      assert.include(result.tables, "effect_sql_migrations")
      assert.strictEqual(result.mode, "wal")
    })
  )

  it.scoped("accepts a file: prefix and :memory:", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      assert.include(yield* Effect.provide(tables, sqlAt(`file:${join(dir, "prefixed.db")}`)), "connections")
      assert.include(yield* Effect.provide(tables, sqlAt(`file://${join(dir, "url.db")}`)), "connections")
      assert.include(yield* Effect.provide(tables, sqlAt(":memory:")), "connections")
    })
  )

  it.scoped("keeps its data and migrations across a restart on the same file", () =>
    Effect.gen(function* () {
      const file = join(yield* tempDir, "restart.db")
      yield* Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* sql`INSERT INTO connections ${sql.insert({
          uuid: "01900000-0000-7000-8000-000000000000",
          name: "n",
          direction: "sender",
          site_url: "https://a.example.com",
          status: "pending",
          inserted_at: "2026-05-13T10:00:00Z",
          updated_at: "2026-05-13T10:00:00Z"
        })}`
      }).pipe(Effect.provide(sqlAt(file)))
      const names = yield* Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        return yield* sql<{ name: string }>`SELECT name FROM connections`
      }).pipe(Effect.provide(sqlAt(file)))
      assert.deepStrictEqual(names, [{ name: "n" }])
    })
  )

  it.scoped("fails at startup naming DATABASE_URL when the path cannot hold a database", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const file = join(dir, "plain-file")
      writeFileSync(file, "this is not a database, just some text that is long enough to be read\n")
      for (const url of [join(file, "sub", "x.db"), dir, file]) {
        const error = yield* Effect.flip(Effect.scoped(openWith(url)))
        assert.include(String(error), "DATABASE_URL")
        assert.include(String(error), url)
      }
    })
  )
})

describe("SqlLive refuses what it cannot trust", () => {
  it.scoped.each(["sqlite:foo.db", "sqlite:///tmp/foo.db", "mysql://root@127.0.0.1/db", "data:x"])(
    "any scheme but file: and postgres: (%s), naming it",
    (url) =>
      Effect.gen(function* () {
        const error = String(yield* Effect.flip(Effect.scoped(openWith(url))))
        assert.include(error, "DATABASE_URL")
        assert.include(error, `names the scheme ${url.slice(0, url.indexOf(":") + 1)}`)
      })
  )

  it.scoped("file: in any case names a file", () =>
    Effect.gen(function* () {
      assert.include(yield* Effect.provide(tables, sqlAt(`FILE:${join(yield* tempDir, "upper.db")}`)), "connections")
    })
  )

  it.scoped("a directory that cannot be made fails at once, naming it", () =>
    Effect.gen(function* () {
      const error = String(yield* Effect.flip(Effect.scoped(openWith("/proc/nodir/syncwatch.db"))))
      assert.include(error, "cannot create the directory of /proc/nodir/syncwatch.db")
    })
  )

  it.scoped("an empty DATABASE_URL, naming it", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Effect.scoped(openWith("  ")))
      assert.include(String(error), "DATABASE_URL is empty")
    })
  )

  it.scoped("a second opening of the same file while the first holds it, naming DATABASE_URL", () =>
    Effect.gen(function* () {
      const file = join(yield* tempDir, "one.db")
      const first = yield* Scope.make()
      yield* openWith(file).pipe(Scope.extend(first))
      const error = yield* Effect.flip(Effect.scoped(openWith(file)))
      assert.include(String(error), "DATABASE_URL")
      assert.include(String(error), "already in use")
      // the lock goes with the first holder
      yield* Scope.close(first, Exit.void)
      yield* Effect.scoped(openWith(file))
    })
  )

  it.scoped("a damaged file (PRAGMA quick_check), naming the file", () =>
    Effect.gen(function* () {
      const file = join(yield* tempDir, "damaged.db")
      yield* damagedDatabase(file)
      const error = yield* Effect.flip(Effect.scoped(openWith(file)))
      assert.include(String(error), "DATABASE_URL")
      assert.include(String(error), `the database ${file} is damaged`)
    })
  )
})

describe("SqlLive on PostgreSQL", () => {
  it.scoped("instances starting at once on a fresh database migrate it once, none refused", () =>
    Effect.gen(function* () {
      const url = pgUrl(yield* pgDatabase("the PostgreSQL migration test"))
      const started = yield* Effect.all(
        Array.from({ length: 4 }, () => Effect.exit(openWith(url))),
        { concurrency: "unbounded" }
      )
      for (const exit of started) assert.isTrue(Exit.isSuccess(exit), String(exit))
      const migrations = yield* Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        return yield* sql<{
          migration_id: number
        }>`SELECT migration_id FROM effect_sql_migrations ORDER BY migration_id`
      }).pipe(Effect.provide(sqlAt(url)))
      // every migration of the list, each once
      const listed = (yield* Migrations.loader).map(([id]) => id)
      assert.isAtLeast(listed.length, 5)
      assert.deepStrictEqual(
        migrations.map((row) => row.migration_id),
        listed
      )
    })
  )
})
