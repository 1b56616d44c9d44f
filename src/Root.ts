// The project's directory. This module sits one level below it wherever it runs: src/Root.ts under tsx and
// vitest, bundled by build.mjs into dist/ (main.js or a chunk beside it). Files the server reads (the schema, package.json, the built
// status page) are found from here, not from the depth of the module that reads them.
export const ROOT = new URL("../", import.meta.url)
