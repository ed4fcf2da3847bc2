// An apply killed mid-way leaves Incus operations running (a create keeps going server-side).
// Planning over them would race them (an instance seen half-created), so a new apply first waits,
// bounded, for the operations that touch the estate's projects to finish.
import type { IncusDriver, Operation } from "../drivers/incus/types.js";

function projectsTouched(op: Operation): string[] {
  const out: string[] = [];
  for (const urls of Object.values(op.resources ?? {})) {
    for (const u of urls ?? []) {
      const m = /[?&]project=([^&]+)/.exec(u);
      out.push(m?.[1] ? decodeURIComponent(m[1]) : "default");
    }
  }
  return out;
}

/** Waits until no running operation touches `projects`; false when `timeoutMs` ran out first. */
export async function settleOperations(
  driver: IncusDriver,
  projects: ReadonlySet<string>,
  options: { timeoutMs: number; onWait?: (running: number) => void },
): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  let told = false;
  for (;;) {
    const running = (await driver.runningOperations()).filter((op) =>
      projectsTouched(op).some((p) => projects.has(p)),
    );
    if (running.length === 0) return true;
    if (Date.now() >= deadline) return false;
    if (!told) options.onWait?.(running.length);
    told = true;
    await new Promise((r) => setTimeout(r, 200));
  }
}
