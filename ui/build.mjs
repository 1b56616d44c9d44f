// Builds the status page into dist/ui when its sources changed (like `tsc -b`): npm start, npm run build and
// the tests' global setup run it; the server only reads what it wrote. Plain Node, no TypeScript loader.
import { createHash } from "node:crypto"
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs"
import { basename, dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import * as esbuild from "esbuild"

const root = fileURLToPath(new URL("..", import.meta.url))
// dist/ui, or the directory given as the first argument (the build's own test)
const out = process.argv[2] === undefined ? join(root, "dist", "ui") : process.argv[2]
const STAMP = ".source-hash"

const files = (dir) =>
  readdirSync(dir)
    .sort()
    .flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]))

// everything the output depends on: the page's sources, this script, the locked dependency versions
const sourceHash = () => {
  const hash = createHash("sha256").update(esbuild.version)
  for (const file of [...files(join(root, "ui")), join(root, "package-lock.json")]) {
    hash.update(relative(root, file)).update(readFileSync(file))
  }
  return hash.digest("hex")
}

export const buildUi = async () => {
  const hash = sourceHash()
  const stamp = join(out, STAMP)
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === hash) return "up to date"
  // built beside, then swapped in: a server starting meanwhile reads the old page or the new, never half
  const staging = `${out}.${process.pid}`
  rmSync(staging, { recursive: true, force: true })
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: ["ui/src/Main.tsx"],
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    jsx: "automatic",
    jsxImportSource: "preact",
    outdir: staging,
    entryNames: "[name]-[hash]",
    metafile: true,
    legalComments: "none",
    logLevel: "warning"
  })
  const outputs = Object.keys(result.metafile.outputs).map((file) => basename(file))
  const script = outputs.find((file) => file.endsWith(".js"))
  const style = outputs.find((file) => file.endsWith(".css"))
  if (script === undefined || style === undefined)
    throw new Error(`the page built without a script or a style: ${outputs}`)
  const html = readFileSync(join(root, "ui", "index.html"), "utf8")
    .replace("/ui/SCRIPT", `/ui/${script}`)
    .replace("/ui/STYLE", `/ui/${style}`)
  writeFileSync(join(staging, "index.html"), html)
  writeFileSync(join(staging, STAMP), hash)
  mkdirSync(dirname(out), { recursive: true })
  rmSync(out, { recursive: true, force: true })
  renameSync(staging, out)
  return "built"
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now()
  const what = await buildUi()
  console.log(`status page ${what} (dist/ui, ${Date.now() - started} ms)`)
}
