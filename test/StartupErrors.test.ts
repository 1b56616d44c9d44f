import { chmodSync, existsSync, mkdirSync } from "node:fs"
import { join } from "node:path"
import { assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { tempDir } from "./utils/Db.js"
import { build, launch, ROOT, refusesToStart, started } from "./utils/Process.js"

// What a newcomer sees when the start goes wrong: one line that says what and how, at once.
beforeAll(build, 180_000)

const NOBODY = { uid: 65534, gid: 65534 }

describe("the process at start", () => {
  it.live("names the status page as well as GraphQL", () =>
    Effect.gen(function* () {
      const app = yield* launch({ LOG_LEVEL: "info" })
      yield* started(app)
      const origin = `http://127.0.0.1:${app.port}`
      assert.include(app.output(), `status page at ${origin}/ and GraphQL at ${origin}/graphql`)
    }).pipe(Effect.scoped)
  )

  it.live("a directory the user cannot write: 'not writable', naming the directory and the user", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      chmodSync(dir, 0o755)
      const readOnly = join(dir, "read-only")
      mkdirSync(readOnly, { mode: 0o755 })
      const exit = yield* refusesToStart(
        { DATABASE_URL: join(readOnly, "syncwatch.db") },
        "DATABASE_URL",
        `the directory ${readOnly} is not writable by user nobody (uid 65534)`,
        NOBODY
      )
      assert.notInclude(exit.output, "already in use")
    }).pipe(Effect.scoped)
  )

  it.live("a directory that cannot be made (under /proc) fails at once, naming it", () =>
    refusesToStart(
      { DATABASE_URL: "/proc/nodir/syncwatch.db" },
      "DATABASE_URL",
      "cannot create the directory of /proc/nodir/syncwatch.db"
    ).pipe(Effect.scoped)
  )

  it.live("sqlite: is a scheme, refused as the README says, and no file is made", () =>
    Effect.gen(function* () {
      yield* refusesToStart({ DATABASE_URL: "sqlite:foo.db" }, "DATABASE_URL", "names the scheme sqlite:")
      assert.isFalse(existsSync(join(ROOT, "sqlite:foo.db")))
    }).pipe(Effect.scoped)
  )

  it.live("a number variable's error names the value received, the unit and the range", () =>
    refusesToStart(
      { PEER_TIMEOUT_MS: "abc" },
      "PEER_TIMEOUT_MS",
      'PEER_TIMEOUT_MS must be an integer >= 1 (milliseconds); received "abc"'
    ).pipe(Effect.scoped)
  )
})
