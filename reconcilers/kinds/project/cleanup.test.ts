// auto_cleanup of a removed domain whose project still holds an instance plumb does not own: the
// plan reports the project and its bridge as kept (with why) instead of promising deletes that
// Incus refuses on every apply; what plumb owns there is still removed, and the plan converges.
import { describe, expect, it } from "vitest";
import { applyMemory, estateFromYaml, planMemory } from "../../testing/estate-kit.js";
import { emptyIncus, putInstance } from "../../testing/memory-incus.js";

const estate = (data: string) =>
  estateFromYaml(`
project_name: lab
global: {addressing: {base_octet: 10}, default_os_image: images:debian/13}
domains:
  web:
    machines: {w1: {}}
${data}`);
const WITH_DATA = "  data:\n    machines: {db: {ephemeral: true}}\n";

describe("auto_cleanup and objects plumb does not own", () => {
  it("keeps (and says why) a project and bridge an unmanaged instance still holds", async () => {
    const m = emptyIncus();
    await applyMemory(m, (await planMemory(m, estate(WITH_DATA))).changes);
    putInstance(
      m,
      "data",
      "hand-made",
      {
        description: "",
        type: "container",
        profiles: ["default"],
        config: {},
        devices: {},
      },
      false,
    );
    const plan = await planMemory(m, estate(""), { autoCleanup: true });
    const byId = new Map(plan.changes.map((c) => [c.id, c]));
    expect(byId.get("instance:data/db")?.action).toBe("delete");
    const project = byId.get("project:data/data");
    expect(project?.action).toBe("orphan");
    expect(project?.action === "orphan" && project.reason).toMatch(
      /kept: holds instances plumb does not own \(hand-made\)/,
    );
    const bridge = byId.get("network:default/net-data");
    expect(bridge?.action === "orphan" && bridge.reason).toMatch(/data\/hand-made/);
    await applyMemory(m, plan.changes);
    const again = await planMemory(m, estate(""), { autoCleanup: true });
    expect(again.changes.map((c) => `${c.action} ${c.id}`)).toEqual([
      "orphan network:default/net-data",
      "orphan project:data/data",
    ]);
  });
});
