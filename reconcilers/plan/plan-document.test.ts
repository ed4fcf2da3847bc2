// The saved plan: versioned, digest-sealed, refused when edited, truncated or of another version.

import { describe, expect, it } from "vitest";
import type { PlumbError } from "../../core/errors.js";
import { NO_GIT } from "../../core/io/git.js";
import { estateFromYaml, planMemory } from "../testing/estate-kit.js";
import { emptyIncus } from "../testing/memory-incus.js";
import { PLAN_VERSION, parsePlan, sealPlan, serializePlan } from "./plan-document.js";

async function plan() {
  const estate = estateFromYaml(
    "project_name: lab\nglobal: {addressing: {base_octet: 10}}\ndomains:\n  web:\n    machines: {w1: {}}\n",
  );
  const { changes } = await planMemory(emptyIncus(), estate);
  return sealPlan({
    createdAt: "2026-01-01T00:00:00.000Z",
    tool: { name: "plumb", version: "0.1.0" },
    owner: "lab",
    target: "unix:/x",
    git: NO_GIT,
    limit: null,
    projects: [],
    settings: { bridgeAddresses: "none", storagePool: "default", imageMap: {}, autoCleanup: false },
    host: { vmSupported: false, serverVersion: "6.0.4" },
    observed: [{ id: "project:web/web", hash: null }],
    changes,
    risk: { items: [] },
  });
}

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as PlumbError).code;
  }
  return "no error";
};

describe("plan document", () => {
  it("round-trips through its file form, with version, summary and digest", async () => {
    const p = await plan();
    expect(p.version).toBe(PLAN_VERSION);
    expect(p.summary.create).toBe(4);
    expect(p.summary.actionable).toBe(4);
    expect(p.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(parsePlan(serializePlan(p))).toEqual(p);
  });

  it("refuses an edited plan, another version, another format and non-JSON (PLB713)", async () => {
    const p = await plan();
    const edited = serializePlan(p).replace('"web"', '"wab"');
    expect(code(() => parsePlan(edited))).toBe("PLB713");
    const v2 = JSON.stringify({ ...p, version: 2 });
    expect(code(() => parsePlan(v2))).toBe("PLB713");
    expect(code(() => parsePlan(JSON.stringify({ ...p, format: "tfplan" })))).toBe("PLB713");
    expect(code(() => parsePlan(serializePlan(p).slice(0, 200)))).toBe("PLB713");
  });
});
