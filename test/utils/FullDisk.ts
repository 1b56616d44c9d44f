import { execFileSync } from "node:child_process"
import { closeSync, mkdtempSync, openSync, rmdirSync, rmSync, writeSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, type Scope } from "effect"

export interface SmallDisk {
  // the mount point: a file system of its own, `size` big
  readonly dir: string
  // writes a file until the file system has no space left (ENOSPC): every later write that needs a block fails
  readonly fill: Effect.Effect<void>
  // removes that file: there is space again
  readonly free: Effect.Effect<void>
}

// A real, small file system (tmpfs) mounted for the scope and unmounted after, so a test can run the store out
// of space. Mounting needs root, which the test machine has (the test fails, saying so, where it is missing).
export const smallDisk = (size = "8m"): Effect.Effect<SmallDisk, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const dir = mkdtempSync(join(tmpdir(), "syncwatch-disk-"))
      try {
        execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdio: "pipe" })
      } catch (error) {
        rmdirSync(dir)
        throw new Error(`a full-disk test mounts a small tmpfs, which needs root: ${String(error)}`)
      }
      return dir
    }),
    (dir) =>
      Effect.sync(() => {
        execFileSync("umount", ["--lazy", dir], { stdio: "pipe" })
        rmSync(dir, { recursive: true, force: true })
      })
  ).pipe(
    Effect.orDie,
    Effect.map((dir) => {
      const filler = join(dir, "filler")
      return {
        dir,
        fill: Effect.sync(() => {
          const fd = openSync(filler, "a")
          const block = Buffer.alloc(64 * 1024, 1)
          try {
            // a smaller block after a refused one, down to a byte: the last free one is taken too
            for (let size = block.length; size > 0; ) {
              try {
                writeSync(fd, block, 0, size)
              } catch (error) {
                if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error
                size = Math.floor(size / 2)
              }
            }
          } finally {
            closeSync(fd)
          }
        }),
        free: Effect.sync(() => rmSync(filler, { force: true }))
      }
    })
  )
