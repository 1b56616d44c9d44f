import { readFileSync } from "node:fs"
import { relative, resolve } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { SRC, sources } from "./utils/Sources.js"

const DOCS = resolve(SRC, "../docs/configuration.md")

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

  const files = sources(SRC).map((file) => [relative(SRC, file), readFileSync(file, "utf8")] as const)
  const found = readers(files)

  it("each is read in one module of src/", () => {
    const shared = [...found]
      .filter(([, files]) => files.size > 1)
      .map(([name, files]) => `${name}: ${[...files].join(", ")}`)
    expect(shared).toEqual([])
  })

  // a variable read some other way (process.env, a name built at run time) would be missing here
  it("the variables read are exactly those of docs/configuration.md's table, and process.env is read nowhere", () => {
    const documented = [...readFileSync(DOCS, "utf8").matchAll(/^\| `([A-Z][A-Z0-9_]*)`/gm)].map(([, name]) => name)
    expect(documented.length).toBeGreaterThan(50)
    expect([...found.keys()].sort()).toEqual([...new Set(documented)].sort())
    expect(files.filter(([, text]) => text.includes("process.env")).map(([file]) => file)).toEqual([])
  })
})
