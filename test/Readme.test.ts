import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join, relative, resolve } from "node:path"
import { assert, describe, it } from "@effect/vitest"

const root = join(import.meta.dirname, "..")
const read = (file: string) => readFileSync(join(root, file), "utf8")

const docs = readdirSync(join(root, "docs"))
  .filter((file) => file.endsWith(".md"))
  .map((file) => join("docs", file))

describe("the README and docs/", () => {
  it("links only to files of the repository, and they exist", () => {
    for (const file of ["README.md", ...docs]) {
      const text = read(file)
      const links = [...text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map((match) => match[1]!)
      for (const link of links.filter((l) => !/^https?:\/\//.test(l))) {
        const target = resolve(join(root, file, ".."), link)
        assert.isFalse(relative(root, target).startsWith(".."), `${file} links outside the repository: ${link}`)
        assert.isTrue(existsSync(target), `${file} links to a missing file: ${link}`)
      }
      assert.notMatch(text, /\.\.\/shared/, `${file} names a path outside the repository`)
    }
  })

  it("stays under 300 lines", () => {
    assert.isBelow(read("README.md").split("\n").length, 300)
  })

  it("docs/configuration.md documents every environment variable the code reads, in its table", () => {
    const reference = read("docs/configuration.md")
    const sources = readdirSync(join(root, "src"), { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith(".ts"))
      .map((file) => read(join("src", file)))
      .join("\n")
    // Config.string("X"), and the helpers that take the name: positive("X", …), perMinute("X", …), token("X")
    const variables = new Set(
      [...sources.matchAll(/(?:Config\.\w+|positive|perMinute|token)\("([A-Z][A-Z0-9_]+)"/g)].map((match) => match[1]!)
    )
    assert.isAtLeast(variables.size, 20)
    for (const variable of variables) assert.match(reference, new RegExp(`^\\| \`${variable}\` \\| `, "m"), variable)
  })
})
