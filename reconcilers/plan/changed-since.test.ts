// `--changed-since` domain selection: domain files select their domains (before and after),
// anything else in the infra selects everything, files outside it nothing.
import { describe, expect, it } from "vitest";
import { type ChangedInput, selectChanged } from "./changed-since.js";

const files: Record<string, string> = {
  "infra/domains/web.yml": "web: {machines: {}}\n",
  "infra/domains/two.yml": "ci: {}\nops: {}\n",
};
const input = (changed: string[], atBase: Record<string, string> = {}): ChangedInput => ({
  changed,
  infra: { mode: "dir", path: "infra" },
  textNow: (p) => files[p] ?? null,
  textAtBase: (p) => atBase[p] ?? null,
  declared: new Set(["web", "ci", "ops", "data"]),
});

describe("selectChanged", () => {
  it("a domain file selects the domains it declares", () => {
    expect(selectChanged(input(["infra/domains/two.yml"]))).toEqual({
      all: false,
      domains: ["ci", "ops"],
    });
    expect(selectChanged(input(["README.md", "templates/x/template.yml"]))).toEqual({
      all: false,
      domains: [],
    });
  });

  it("base.yml, policies.yml or a removed domain select everything", () => {
    expect(selectChanged(input(["infra/base.yml"])).all).toBe(true);
    expect(selectChanged(input(["infra/policies.yml", "infra/domains/web.yml"])).all).toBe(true);
    const renamed = selectChanged(
      input(["infra/domains/web.yml"], { "infra/domains/web.yml": "www: {}\n" }),
    );
    expect(renamed).toMatchObject({ all: true, why: "domain(s) www removed" });
    expect(
      selectChanged(input(["infra/domains/gone.yml"], { "infra/domains/gone.yml": "data: {}\n" })),
    ).toEqual({
      all: false,
      domains: ["data"],
    });
  });

  it("a single-file infra selects everything when it changed", () => {
    const one = { ...input(["infra.yml"]), infra: { mode: "file" as const, path: "infra.yml" } };
    expect(selectChanged(one).all).toBe(true);
    expect(selectChanged({ ...one, changed: ["docs/a.md"] }).all).toBe(false);
  });
});
