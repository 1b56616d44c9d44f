import { existsSync, readFileSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import ts from "typescript"
import { SRC, sources } from "./utils/Sources.js"

// Every import of src/, static or dynamic, type-only or not: a cycle in any of them makes a module that
// cannot be read on its own.

const importsOf = (file: string): Array<string> =>
  ts
    .preProcessFile(readFileSync(file, "utf8"), true, true)
    .importedFiles.map((imported) => imported.fileName)
    .filter((name) => name.startsWith("."))
    .map((name) => {
      const base = resolve(dirname(file), name.replace(/\.js$/, ""))
      return [".ts", ".tsx"].map((ext) => base + ext).find(existsSync) ?? base
    })

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

// the server, its tests and benches, and the status page
const ROOTS = ["src", "test", "bench", "ui/src"].map((dir) => resolve(SRC, "..", dir))
const ROOT = resolve(SRC, "..")

describe("the import graph of src/, test/, bench/ and ui/src/", () => {
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
    const graph = new Map(ROOTS.flatMap(sources).map((file) => [file, importsOf(file)]))
    expect(graph.size).toBeGreaterThan(200)
    const relative = cycles(graph).map((cycle) => cycle.map((file) => file.slice(ROOT.length + 1)).join(" → "))
    expect(relative).toEqual([])
  })
})
