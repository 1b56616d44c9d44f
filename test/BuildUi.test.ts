import { execFileSync } from "node:child_process"
import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { tempDir } from "./utils/Db.js"

// ui/build.mjs as npm start runs it: a build when the sources changed, nothing otherwise

const root = join(import.meta.dirname, "..")
const build = (out: string) =>
  execFileSync(process.execPath, ["ui/build.mjs", out], { cwd: root, encoding: "utf8" }).trim()

describe("the status page's build", () => {
  it.scoped("builds once, then only when what it was built from changed", () =>
    Effect.gen(function* () {
      const out = join(yield* tempDir, "ui")
      assert.match(build(out), /^status page built /)
      const files = readdirSync(out).sort()
      const index = readFileSync(join(out, "index.html"), "utf8")
      for (const asset of files.filter((file) => /\.(js|css)$/.test(file))) assert.include(index, `/ui/${asset}`)
      assert.lengthOf(
        files.filter((file) => /^Main-[A-Z0-9]+\.(js|css)$/.test(file)),
        2
      )
      assert.match(build(out), /^status page up to date /)
      assert.deepStrictEqual(readdirSync(out).sort(), files)
      // what it was built from is named by a hash of the sources: another hash means other sources
      writeFileSync(join(out, ".source-hash"), "another")
      assert.match(build(out), /^status page built /)
      assert.match(build(out), /^status page up to date /)
    })
  )
})
