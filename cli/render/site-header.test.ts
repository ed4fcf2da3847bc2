// Every plan header names the active site settings: endpoint, image map, bridge mode, and where
// they came from (docs/reconcile.md "Site settings").
import { describe, expect, it } from "vitest";
import { NO_GIT } from "../../core/io/git.js";
import { styler } from "../../core/output/output.js";
import { sealPlan } from "../../reconcilers/plan/plan-document.js";
import { renderPlanHuman, settingsText } from "./plan-human.js";
import { renderPlanMarkdown } from "./plan-markdown.js";

const plan = (sources?: string[]) =>
  sealPlan({
    createdAt: "2026-01-01T00:00:00.000Z",
    tool: { name: "plumb", version: "0.1.0" },
    owner: "lab",
    target: "unix:/var/lib/incus/unix.socket",
    git: NO_GIT,
    limit: null,
    projects: [],
    settings: {
      endpoint: "unix:/var/lib/incus/unix.socket",
      ...(sources ? { sources } : {}),
      bridgeAddresses: "none",
      storagePool: "default",
      imageMap: { "images:debian/13": "plumb-busybox" },
      autoCleanup: false,
    },
    host: { vmSupported: false, serverVersion: "6.0.4" },
    observed: [],
    changes: [],
    risk: { items: [] },
  });

const LINE =
  "site: endpoint unix:/var/lib/incus/unix.socket; image map images:debian/13→plumb-busybox; bridge addresses none; pool default (from .plumb/site.yml)";

describe("plan header: site settings", () => {
  it("human: second line", () => {
    const lines = renderPlanHuman(plan([".plumb/site.yml"]), styler(false));
    expect(lines[1]).toBe(LINE);
  });

  it("markdown: under the title", () => {
    const md = renderPlanMarkdown(plan([".plumb/site.yml"])).split("\n");
    expect(md).toContain(`\`${LINE}\``);
  });

  it("JSON: the settings field carries endpoint and sources", () => {
    const p = plan([".plumb/site.yml", "PLUMB_IMAGE_MAP"]);
    expect(p.settings).toMatchObject({
      endpoint: "unix:/var/lib/incus/unix.socket",
      sources: [".plumb/site.yml", "PLUMB_IMAGE_MAP"],
      bridgeAddresses: "none",
      imageMap: { "images:debian/13": "plumb-busybox" },
    });
  });

  it("a plan saved before settings had sources says defaults", () => {
    expect(settingsText(plan())).toMatch(/\(from defaults\)$/);
  });
});
