export async function resolve(specifier, context, next) {
  const result = await next(specifier, context)
  if (result.url.includes("/@effect/cluster/")) console.error(`cluster module loaded: ${result.url}`)
  return result
}
