import { type ChildProcess, execFileSync, fork, spawn } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { loadavg } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { Arrivals, RemoteMessage, RemoteStats } from "./remote.js"

// Child processes of the bench: the remote sender and syncwatch itself. Every child is registered so that
// run.ts can kill what is left on exit, on a signal or on a crash.

export const ROOT = fileURLToPath(new URL("..", import.meta.url))
const GUARD = new URL("OrphanGuard.mjs", import.meta.url).href
const children = new Set<ChildProcess>()

export const killAll = (signal: NodeJS.Signals = "SIGKILL") => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill(signal)
}

const track = (child: ChildProcess, name: string) => {
  children.add(child)
  child.on("exit", (code, signal) => {
    children.delete(child)
    if (!stopping.has(child)) console.error(`[bench] ${name} (pid ${child.pid}) exited early: ${signal ?? code}`)
  })
  return child
}
const stopping = new WeakSet<ChildProcess>()

// SIGTERM first so syncwatch shuts down cleanly (and writes its --cpu-prof), SIGKILL if it hangs
export const stop = (child: ChildProcess, graceMs = 10_000): Promise<void> =>
  new Promise((resolve) => {
    stopping.add(child)
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs)
    child.once("exit", () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill("SIGTERM")
  })

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

export interface Remote {
  readonly child: ChildProcess
  readonly origin: string
  readonly stats: () => Promise<RemoteStats>
  // with REMOTE_ARRIVALS=1 in its env: the arrivals since an epoch millisecond (bench/remote.ts)
  readonly arrivals: (since: number, gapMs: number) => Promise<Arrivals>
}

export const startRemote = (): Promise<Remote> => startRemoteWith({})

// with settings of bench/remote.ts in its environment (REMOTE_DELAY_MS, REMOTE_ARRIVALS)
export const startRemoteWith = (env: Record<string, string>): Promise<Remote> =>
  new Promise((resolve, reject) => {
    const child = track(
      fork(fileURLToPath(new URL("remote.ts", import.meta.url)), [], {
        execArgv: ["--import", "tsx"],
        stdio: ["ignore", "inherit", "inherit", "ipc"],
        env: { ...process.env, ...env }
      }),
      "remote sender"
    )
    const pending: Array<(stats: RemoteStats) => void> = []
    const summaries: Array<(arrivals: Arrivals) => void> = []
    child.on("message", (message: RemoteMessage) => {
      if (message.type === "stats") pending.shift()?.(message.stats)
      else if (message.type === "arrivals") summaries.shift()?.(message.arrivals)
      else
        resolve({
          child,
          origin: `http://127.0.0.1:${message.port}`,
          stats: () =>
            new Promise((answer) => {
              pending.push(answer)
              child.send({ type: "stats" })
            }),
          arrivals: (since, gapMs) =>
            new Promise((answer) => {
              summaries.push(answer)
              child.send({ type: "arrivals", since, gapMs })
            })
        })
    })
    child.once("exit", (code) => reject(new Error(`remote sender exited before it listened (${code})`)))
  })

export interface Syncwatch {
  readonly child: ChildProcess
  readonly pid: number
  readonly origin: string
}

// the environment and node flags of `npm start` (package.json), so the bench runs the server exactly as it starts
const startCommand = (): { readonly env: Record<string, string>; readonly flags: ReadonlyArray<string> } => {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    readonly scripts: Record<string, string>
  }
  const command = /\bexec (?:env ((?:\w+=\S+ )*))?node ((?:--\S+ )*)dist\/main\.js/.exec(scripts["start"] ?? "")
  if (command === null) throw new Error("package.json: the start script does not run [env …] node … dist/main.js")
  const words = (text: string | undefined) => (text ?? "").split(" ").filter((word) => word !== "")
  const env = Object.fromEntries(
    words(command[1]).map((word) => [word.slice(0, word.indexOf("=")), word.slice(word.indexOf("=") + 1)])
  )
  return { env, flags: words(command[2]) }
}

// what `npm start` runs after building, minus npm's own process, so the pid we watch is the server's own;
// the guard is plain JavaScript, so the serving process loads no tsx or esbuild
export const startSyncwatch = async (env: Record<string, string>, nodeArgs: ReadonlyArray<string> = []) => {
  execFileSync(process.execPath, [join(ROOT, "build.mjs")], {
    cwd: ROOT,
    stdio: "inherit"
  })
  const start = startCommand()
  const child = track(
    spawn(process.execPath, [...start.flags, "--import", GUARD, ...nodeArgs, "dist/main.js"], {
      cwd: ROOT,
      env: { ...process.env, ...start.env, ...env },
      stdio: ["ignore", "pipe", "pipe"]
    }),
    "syncwatch"
  )
  const prefix = (line: string) => (line === "" ? "" : `[syncwatch] ${line}\n`)
  const forward = (to: NodeJS.WriteStream) => (chunk: Buffer) =>
    to.write(chunk.toString().split("\n").map(prefix).join(""))
  child.stdout?.on("data", forward(process.stdout))
  child.stderr?.on("data", forward(process.stderr))
  return untilHealthy(child, `http://${env["HOST"]}:${env["PORT"]}`)
}

// bench/fanoutFloor.mjs, the fan-out bench's floor (FANOUT_SERVER=floor), as plain node runs it
export const startFanoutFloor = (env: Record<string, string>) =>
  untilHealthy(
    track(
      spawn(process.execPath, ["--import", GUARD, join(ROOT, "bench", "fanoutFloor.mjs")], {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ["ignore", "inherit", "inherit"]
      }),
      "fanout floor"
    ),
    `http://127.0.0.1:${env["PORT"]}`
  )

const untilHealthy = async (child: ChildProcess, origin: string): Promise<Syncwatch> => {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error("the server exited during startup")
    // each probe has its own deadline: a server that accepts the connection but never answers is probed again
    // (while it starts it answers 503), and the 60 s bound below still holds
    const ready = await fetch(`${origin}/health`, { signal: AbortSignal.timeout(2_000) }).then(
      (response) => response.ok,
      () => false
    )
    if (ready) return { child, pid: child.pid!, origin } satisfies Syncwatch
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error("the server did not answer /health within 60 s")
}

// Linux: VmHWM is the peak resident set of the process; writing 5 to clear_refs resets it (kernel >= 4.0)
const statusKb = (pid: number, field: "VmRSS" | "VmHWM"): number | undefined => {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"))
    return match?.[1] === undefined ? undefined : Number(match[1])
  } catch {
    return undefined
  }
}
export const rssMb = (pid: number) => mb(statusKb(pid, "VmRSS"))
export const peakRssMb = (pid: number) => mb(statusKb(pid, "VmHWM"))
const mb = (kb: number | undefined) => (kb === undefined ? undefined : kb / 1024)

// utime + stime of the process in ms (Linux clock ticks are 10 ms on every common kernel config)
export const cpuMs = (pid: number): number | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return undefined
  }
}

export const resetPeakRss = (pid: number): boolean => {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5")
    return true
  } catch {
    return false
  }
}

// a bench's own helpers: the load average as printed beside every figure, a pause, and an exit on a signal (so
// the "exit" handlers kill the children)
export const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(" ")
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
export const exitOnSignals = () => {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => process.exit(130))
}
