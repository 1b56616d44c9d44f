import { NodeRuntime } from "@effect/platform-node"
import { Layer } from "effect"
import { ServerLive } from "./Server.js"

ServerLive.pipe(Layer.launch, NodeRuntime.runMain)
