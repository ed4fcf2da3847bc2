// A restart-needed key set through a profile: flagged while instances using it run, skipped
// without --allow-restart (so the re-plan still shows it), applied with it (users restarted).
import { describe, expect, it } from "vitest";
import { applyChanges } from "../../apply/engine.js";
import { applyMemory, estateFromYaml, planMemory } from "../../testing/estate-kit.js";
import { emptyIncus, instanceOf } from "../../testing/memory-incus.js";

const estate = (mknod: string) =>
  estateFromYaml(`
project_name: lab
global: {addressing: {base_octet: 10}, default_os_image: images:debian/13}
domains:
  web:
    profiles:
      tuned: {config: {limits.memory: 1GiB${mknod}}}
    machines:
      w1: {profiles: [default, tuned]}
      w2: {}
`);
const MKNOD = ", security.syscalls.intercept.mknod: 'true'";
const ctx = (allowRestart: boolean) => ({
  owner: "lab",
  allowRestart,
  vmSupported: false,
  stopTimeout: 1,
});

describe("profile keys that need a restart", () => {
  it("is update-restart while a user runs, and restarts it only with --allow-restart", async () => {
    const m = emptyIncus();
    await applyMemory(m, (await planMemory(m, estate(""))).changes);
    const { changes } = await planMemory(m, estate(MKNOD));
    const [c] = changes;
    expect(c?.action).toBe("update-restart");
    expect(c?.action === "update-restart" && c.restartFields).toEqual([
      "config.security.syscalls.intercept.mknod",
    ]);
    expect(c?.affects).toEqual(["web/w1"]);
    const skipped = await applyChanges(changes, m.driver, { concurrency: 1, ctx: ctx(false) });
    expect(skipped.results[0]?.status).toBe("skipped");
    expect((await planMemory(m, estate(MKNOD))).changes.map((x) => x.action)).toEqual([
      "update-restart",
    ]);
    const applied = await applyChanges(changes, m.driver, { concurrency: 1, ctx: ctx(true) });
    expect(applied.results[0]).toMatchObject({ status: "done", detail: "restarted w1" });
    expect(instanceOf(m, "web", "w1")?.status).toBe("Running");
    expect((await planMemory(m, estate(MKNOD))).changes).toEqual([]);
  });

  it("is a plain update when no instance using it runs", async () => {
    const m = emptyIncus();
    await applyMemory(m, (await planMemory(m, estate(""))).changes);
    const w1 = instanceOf(m, "web", "w1");
    if (w1) w1.status = "Stopped";
    const actions = (await planMemory(m, estate(MKNOD))).changes.map((x) => `${x.action} ${x.id}`);
    expect(actions).toEqual(["update profile:web/tuned", "start instance-state:web/w1"]);
  });
});
