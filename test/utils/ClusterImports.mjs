// `node --import` this file: every module of @effect/cluster the process loads is named on stderr (bundled, the
// chunk that holds it)
import { register } from "node:module"

register("./ClusterImportsHooks.mjs", import.meta.url)
