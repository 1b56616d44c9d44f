// Builds the server into dist/: src/main.ts bundled by esbuild as ESM into dist/main.js, the modules loaded on
// demand (PostgreSQL, the cluster) and the code they share with it in chunks beside it. Tree-shaken, so modules the server never
// uses are neither parsed nor kept in memory (effect's index brings fast-check along otherwise); whitespace and
// syntax minified, identifiers kept (their names appear in logs, spans and errors). npm start, npm run build,
// the bench and the process tests run it. Plain Node, no TypeScript loader; types are tsc's.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import * as esbuild from "esbuild"

const root = fileURLToPath(new URL(".", import.meta.url))
const out = join(root, "dist")

// loaded from node_modules at run time: native code (better-sqlite3, pg's optional pg-native), graphql (one
// copy for yoga and `Fanout`'s require, see there; its CommonJS would not shake anyway) and GraphiQL's page,
// imported on first use
const EXTERNAL = ["better-sqlite3", "pg-native", "graphql", "@graphql-yoga/render-graphiql"]

export const buildServer = async () => {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: ["src/main.ts"],
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outdir: out,
    // beside main.js: Root.ts, wherever it lands, is one level below the project
    chunkNames: "[name]-[hash]",
    external: EXTERNAL,
    minifyWhitespace: true,
    minifySyntax: true,
    // no keepNames: it would restore the names suffixed where two modules' names collide (`make2` in a stack
    // trace) at a cost on every closure made (docs/performance.md)
    legalComments: "none",
    // for `node --enable-source-maps` and bench/profile.ts: positions in src/ and node_modules/, not in dist/
    sourcemap: "linked",
    sourcesContent: false,
    // the CommonJS dependencies bundled (undici, ws, …) require Node's own modules
    banner: {
      js: 'import{createRequire as __syncwatchRequire}from"node:module";const require=__syncwatchRequire(import.meta.url);'
    },
    write: false,
    logLevel: "warning"
  })
  // each file written beside, then renamed into place: a server starting meanwhile reads a whole file
  const written = new Set()
  for (const file of result.outputFiles) {
    written.add(file.path)
    if (existsSync(file.path) && readFileSync(file.path).equals(file.contents)) continue
    mkdirSync(dirname(file.path), { recursive: true })
    const staging = `${file.path}.${process.pid}`
    writeFileSync(staging, file.contents)
    renameSync(staging, file.path)
  }
  for (const name of readdirSync(out)) {
    if (/\.js(\.map)?$/.test(name) && !written.has(join(out, name))) rmSync(join(out, name), { force: true })
  }
  return result.outputFiles.filter((file) => file.path.endsWith(".js")).map((file) => relative(root, file.path))
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now()
  const files = await buildServer()
  console.log(`server built (${files.length} files in dist/, ${Date.now() - started} ms)`)
}
