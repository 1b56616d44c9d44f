import { readdirSync, readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import ts from "typescript"

// Every import of src/, static or dynamic, type-only or not: a cycle in any of them makes a module that
// cannot be read on its own.
const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../src")

const sources = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === "generated" ? [] : sources(path)
    return entry.name.endsWith(".ts") ? [path] : []
  })

const importsOf = (file: string): Array<string> =>
  ts
    .preProcessFile(readFileSync(file, "utf8"), true, true)
    .importedFiles.map((imported) => imported.fileName)
    .filter((name) => name.startsWith("."))
    .map((name) => resolve(dirname(file), name.replace(/\.js$/, ".ts")))

const cycles = (graph: ReadonlyMap<string, ReadonlyArray<string>>): Array<Array<string>> => {
  const found: Array<Array<string>> = []
  const done = new Set<string>()
  const path: Array<string> = []
  const visit = (node: string) => {
    const at = path.indexOf(node)
    if (at >= 0) {
      found.push([...path.slice(at), node])
      return
    }
    if (done.has(node)) return
    path.push(node)
    for (const next of graph.get(node) ?? []) visit(next)
    path.pop()
    done.add(node)
  }
  for (const node of graph.keys()) visit(node)
  return found
}

describe("the import graph of src/", () => {
  it("finds a cycle when there is one", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["a"]]
    ])
    expect(cycles(graph)).toEqual([["a", "b", "c", "a"]])
  })

  it("has no cycle", () => {
    const graph = new Map(sources(SRC).map((file) => [file, importsOf(file)]))
    expect(graph.size).toBeGreaterThan(50)
    const relative = cycles(graph).map((cycle) => cycle.map((file) => file.slice(SRC.length + 1)).join(" → "))
    expect(relative).toEqual([])
  })
})
