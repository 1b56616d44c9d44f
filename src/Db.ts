import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import { fileURLToPath } from "node:url"
import * as Reactivity from "@effect/experimental/Reactivity"
import * as SqlClient from "@effect/sql/SqlClient"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Config, ConfigError, Context, Effect, Layer } from "effect"
import * as Migrations from "./Connections/Migrations.js"

const MEMORY = ":memory:"

// `file:` prefix optional: `file:./data/x.db`, `file:///abs/x.db` and plain paths all name a file
export const toFilename = (url: string): string => {
  if (url.startsWith("file://")) return fileURLToPath(url)
  return url.startsWith("file:") ? url.slice("file:".length) : url
}

const invalid = (message: string, cause: unknown) =>
  ConfigError.InvalidData(["DATABASE_URL"], `${message}: ${cause instanceof Error ? cause.message : String(cause)}`)

export const SqlLive = Layer.scopedContext(
  Effect.gen(function* () {
    const filename = yield* Config.string("DATABASE_URL").pipe(
      Config.withDefault("./data/syncwatch.db"),
      Config.map(toFilename)
    )
    if (filename !== MEMORY) {
      yield* Effect.try({
        try: () => mkdirSync(dirname(filename), { recursive: true }),
        catch: (cause) => invalid(`cannot create the directory of ${filename}`, cause)
      })
    }
    // better-sqlite3 throws from its constructor (and the WAL pragma), which the client turns into a defect
    const client = yield* SqliteClient.make({ filename, disableWAL: filename === MEMORY }).pipe(
      Effect.catchAllDefect((cause) => Effect.fail(invalid(`cannot open the database ${filename}`, cause)))
    )
    yield* Migrations.run.pipe(Effect.provideService(SqlClient.SqlClient, client))
    return Context.make(SqliteClient.SqliteClient, client).pipe(Context.add(SqlClient.SqlClient, client))
  })
).pipe(Layer.provide(Reactivity.layer))
