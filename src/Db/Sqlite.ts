import { accessSync, constants, existsSync, mkdirSync } from "node:fs"
import { userInfo } from "node:os"
import { dirname, resolve } from "node:path"
import * as Reactivity from "@effect/experimental/Reactivity"
import * as SqlClient from "@effect/sql/SqlClient"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Context, Effect, Layer } from "effect"
import * as Migrations from "../Connections/Migrations.js"
import { invalid, StoreKind } from "./Target.js"

const MEMORY = ":memory:"

const reason = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause))

// the directory of the file, one level at a time: a level that cannot be made fails at once, naming it (a
// recursive mkdirSync spins forever on a path under /proc)
const makeDirectory = (filename: string) =>
  Effect.try({
    try: () => {
      const missing: Array<string> = []
      for (let at = resolve(dirname(filename)); !existsSync(at) && dirname(at) !== at; at = dirname(at)) {
        missing.unshift(at)
      }
      for (const level of missing) mkdirSync(level)
    },
    catch: (cause) => invalid(`cannot create the directory of ${filename}`, cause)
  })

const user = () => {
  try {
    const { username, uid } = userInfo()
    return `${username} (uid ${uid})`
  } catch {
    return `uid ${process.getuid?.() ?? "unknown"}`
  }
}

// the file and its lock beside it are written in its directory: say so, rather than a failure to open
const writable = (filename: string) =>
  Effect.try({
    try: () => accessSync(dirname(filename), constants.W_OK | constants.X_OK),
    catch: () =>
      invalid(
        `the directory ${dirname(filename)} is not writable by user ${user()}: give that user write access to it, or set DATABASE_URL to a file in a directory it can write`
      )
  })

// another connection holds the lock: SQLITE_BUSY under the SqlError; any other failure is not another process
const held = (cause: unknown) => {
  const code = (cause as { readonly cause?: { readonly code?: unknown } } | undefined)?.cause?.code
  return code === "SQLITE_BUSY" || code === "SQLITE_LOCKED"
}

// One process per file (SQLite has no cross-process change feed): an exclusive lock on a side file, held
// for the life of the scope and dropped by the OS if the process dies. PostgreSQL is the way to run several.
const lockFile = (filename: string) =>
  Effect.gen(function* () {
    const lock = yield* SqliteClient.make({ filename: `${filename}.lock`, disableWAL: true })
    yield* lock`PRAGMA busy_timeout = 0`
    yield* lock`BEGIN EXCLUSIVE`
  }).pipe(
    Effect.catchAllDefect(Effect.fail),
    Effect.mapError((cause) =>
      held(cause)
        ? invalid(
            `${filename} is already in use by another syncwatch process (${reason(cause)}): stop it, or give this one its own DATABASE_URL`
          )
        : invalid(`cannot open the lock file ${filename}.lock`, cause)
    )
  )

// PRAGMA quick_check reads every page: a damaged file is refused here, not by masked errors later
const checkIntegrity = (client: SqlClient.SqlClient, filename: string) =>
  client<{ quick_check: string }>`PRAGMA quick_check`.pipe(
    Effect.flatMap((rows) => {
      const problems = rows.map((row) => row.quick_check).filter((text) => text !== "ok")
      return problems.length === 0 ? Effect.void : Effect.fail(problems.slice(0, 3).join("; "))
    }),
    Effect.catchAllDefect(Effect.fail),
    Effect.mapError((cause) =>
      invalid(
        `the database ${filename} is damaged (${reason(cause)}): restore it from a backup, or set DATABASE_URL to another file`
      )
    )
  )

export const layer = (filename: string) =>
  Layer.scopedContext(
    Effect.gen(function* () {
      if (filename !== MEMORY) {
        yield* makeDirectory(filename)
        yield* writable(filename)
        yield* lockFile(filename)
      }
      // better-sqlite3 throws from its constructor (and the WAL pragma), which the client turns into a defect
      const client = yield* SqliteClient.make({ filename, disableWAL: filename === MEMORY }).pipe(
        Effect.catchAllDefect((cause) => Effect.fail(invalid(`cannot open the database ${filename}`, cause)))
      )
      // WAL's own recommended setting: a commit is not fsynced (the WAL is, at each checkpoint), so a write no
      // longer blocks the event loop on the disk; the file stays consistent after a crash, and a power cut can
      // lose the last commits (the heartbeat, the latest results) but never corrupt the store
      if (filename !== MEMORY) yield* client`PRAGMA synchronous = NORMAL`.pipe(Effect.orDie)
      yield* checkIntegrity(client, filename)
      yield* Migrations.run.pipe(
        Effect.provideService(SqlClient.SqlClient, client),
        Effect.mapError((error) => invalid(`the migrations of ${filename} failed`, error))
      )
      return Context.make(SqliteClient.SqliteClient, client).pipe(
        Context.add(SqlClient.SqlClient, client),
        Context.add(StoreKind, "sqlite")
      )
    })
  ).pipe(Layer.provide(Reactivity.layer))
