import { readFileSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import semver from "semver"

// `npm ci` prints EBADENGINE for every locked package whose `engines.node` refuses the running Node. The
// lines package.json names are the lines CI and the README support: each one's oldest release must satisfy
// every locked package, so an install on any of them is quiet.

const root = join(import.meta.dirname, "..")
const read = (file: string) => JSON.parse(readFileSync(join(root, file), "utf8"))

interface Locked {
  readonly version?: string
  readonly engines?: { readonly node?: string } | ReadonlyArray<string>
}

describe("engines", () => {
  const supported: string = read("package.json").engines.node
  const lines = supported.split("||").map((range) => semver.minVersion(range.trim())!.version)

  it("names Node 20, 22 and 24, each from a release every dependency accepts", () => {
    assert.deepStrictEqual(
      lines.map((version) => semver.major(version)),
      [20, 22, 24]
    )
  })

  it("every locked package accepts the oldest release of each supported line", () => {
    const packages: Record<string, Locked> = read("package-lock.json").packages
    const refused = Object.entries(packages).flatMap(([path, locked]) => {
      const range = Array.isArray(locked.engines) ? undefined : (locked.engines as { node?: string })?.node
      if (path === "" || range === undefined) return []
      return lines
        .filter((version) => !semver.satisfies(version, range))
        .map((version) => `${path}@${locked.version}: node ${range}, not ${version}`)
    })
    assert.deepStrictEqual(refused, [])
  })
})
