// a module of @effect/cluster: a file of the package, or a chunk of the bundled server (build.mjs) that holds its
// code, known by the package's own service keys ("@effect/cluster/Sharding", …)
export async function load(url, context, next) {
  const result = await next(url, context)
  const source = result.source == null ? "" : String(result.source)
  if (url.includes("/@effect/cluster/") || source.includes('"@effect/cluster/'))
    console.error(`cluster module loaded: ${url}`)
  return result
}
