// Instances an interrupted create left: still in an Incus operation, or never started. Each is
// planned as a start that says which (never a bare start); a stopped instance that ran before is
// a plain start; a running one is no change.
import { describe, expect, it } from "vitest";
import { applyMemory, estateFromYaml, planMemory } from "../../testing/estate-kit.js";
import { emptyIncus, instanceOf } from "../../testing/memory-incus.js";
import { instancesInFlight, unfinishedReason } from "./unfinished.js";

const ESTATE = estateFromYaml(`
project_name: lab
global: {addressing: {base_octet: 10}, default_os_image: images:debian/13}
domains:
  web:
    machines:
      w1: {}
      w2: {}
      w3: {}
`);

describe("unfinished instances", () => {
  it("plans a start with a note for each, and a plain start for one stopped after running", async () => {
    const m = emptyIncus();
    await applyMemory(m, (await planMemory(m, ESTATE)).changes);
    for (const name of ["w1", "w2", "w3"]) {
      const i = instanceOf(m, "web", name);
      if (!i) throw new Error(`no ${name}`);
      i.status = "Stopped";
      i.config["volatile.last_state.power"] = "STOPPED";
    }
    // w1: its create operation is still running; w2: created, its start never happened.
    m.transport.operations.delayMs = 60_000;
    m.transport.operations.start(
      "Creating instance",
      { instances: ["/1.0/instances/w1?project=web"] },
      () => {},
    );
    delete instanceOf(m, "web", "w1")?.config["volatile.last_state.power"];
    delete instanceOf(m, "web", "w2")?.config["volatile.last_state.power"];
    const { changes } = await planMemory(m, ESTATE);
    const notes = new Map(changes.map((c) => [`${c.action} ${c.id}`, c.notes ?? []]));
    expect([...notes.keys()]).toEqual([
      "start instance-state:web/w1",
      "start instance-state:web/w2",
      "start instance-state:web/w3",
    ]);
    expect(notes.get("start instance-state:web/w1")?.join()).toMatch(
      /^in progress: Incus is still running Creating instance \(.+\) on it/,
    );
    expect(notes.get("start instance-state:web/w2")?.join()).toMatch(
      /^repair: created but never started/,
    );
    expect(notes.get("start instance-state:web/w3")).toEqual([]);
    m.transport.operations.close();
  });

  it("reads operations' instance URLs in any project; a running instance is never unfinished", () => {
    const inFlight = instancesInFlight([
      {
        id: "op1",
        class: "task",
        description: "Creating instance",
        status: "Running",
        status_code: 103,
        resources: { instances: ["/1.0/instances/a%2Db?project=p1", "/1.0/instances/c"] },
      },
    ]);
    expect([...inFlight.keys()]).toEqual(["p1/a-b", "default/c"]);
    const config = {};
    expect(
      unfinishedReason({ name: "c", project: "default", status: "Running", config }, inFlight),
    ).toBeUndefined();
    expect(
      unfinishedReason({ name: "x", project: "p1", status: "Error", config }, inFlight),
    ).toMatch(/status Error/);
  });
});
