import { readFileSync } from "node:fs"
import { relative } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { SRC, sources } from "./utils/Sources.js"

// One Config value per variable, in the module that owns it: every other module imports that value, so a
// variable's name is read in one file of src/ only.

// a variable's name as the first argument of a call: Config.string("HOST"), Setting.integer("PORT", …),
// Config.literal(...)("LOG_FORMAT"), or a module's own helper such as limit("GRAPHQL_MAX_DEPTH", …)
const READ = /\(\s*"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)"/g
const NOT_VARIABLES = new Set(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"])

const readers = (files: ReadonlyArray<readonly [string, string]>): Map<string, Set<string>> => {
  const byName = new Map<string, Set<string>>()
  for (const [file, text] of files) {
    for (const [, name] of text.matchAll(READ)) {
      if (name === undefined || NOT_VARIABLES.has(name)) continue
      byName.set(name, (byName.get(name) ?? new Set()).add(file))
    }
  }
  return byName
}

describe("environment variables", () => {
  it("a name read in two files is found", () => {
    const found = readers([
      ["a.ts", 'Config.string("HOST").pipe(Config.withDefault("127.0.0.1"))'],
      ["b.ts", 'const host = yield* Config.string("HOST")\nroute("GET", "/")'],
      ["c.ts", 'limit("GRAPHQL_MAX_DEPTH", 8)']
    ])
    expect(found).toEqual(
      new Map([
        ["HOST", new Set(["a.ts", "b.ts"])],
        ["GRAPHQL_MAX_DEPTH", new Set(["c.ts"])]
      ])
    )
  })

  it("each is read in one module of src/", () => {
    const found = readers(sources(SRC).map((file) => [relative(SRC, file), readFileSync(file, "utf8")] as const))
    for (const name of [
      "HOST",
      "PORT",
      "ALLOW_INTERNAL_URLS",
      "PEER_TIMEOUT_MS",
      "CHECK_CONCURRENCY",
      "DATABASE_URL"
    ]) {
      expect(found.has(name), name).toBe(true)
    }
    const shared = [...found]
      .filter(([, files]) => files.size > 1)
      .map(([name, files]) => `${name}: ${[...files].join(", ")}`)
    expect(shared).toEqual([])
  })
})
