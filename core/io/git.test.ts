// The git driver on real temporary repositories: head, dirty paths under the bound paths only,
// ancestry (a "no" is a no, not a silent success), changes between commits, refs that are options.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { gitDriver, planGitFacts } from "./git.js";

function repo() {
  const dir = mkdtempSync(join(tmpdir(), "plumb-git-"));
  const git = (...a: string[]) => execFileSync("git", a, { cwd: dir, encoding: "utf8" }).trim();
  git("init", "-q", "-b", "main");
  git("config", "user.email", "t@example.invalid");
  git("config", "user.name", "t");
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  const commit = (m: string) => {
    git("add", "-A");
    git("commit", "-q", "--allow-empty", "-m", m);
    return git("rev-parse", "HEAD");
  };
  return { dir, git, write, commit };
}

describe("gitDriver", () => {
  it("outside a repository: no head, not clean", async () => {
    const dir = mkdtempSync(join(tmpdir(), "plumb-nogit-"));
    const facts = await planGitFacts(gitDriver(dir));
    expect(facts).toEqual({ head: null, base: null, clean: false, dirty: [] });
  });

  it("dirty paths: only infra/ and templates/ (untracked included) make a plan unclean", async () => {
    const r = repo();
    r.write("infra/base.yml", "a\n");
    const c1 = r.commit("one");
    const d = gitDriver(r.dir);
    expect(await planGitFacts(d)).toEqual({ head: c1, base: null, clean: true, dirty: [] });
    r.write("README.md", "x\n");
    expect((await planGitFacts(d)).clean).toBe(true);
    r.write("infra/domains/new.yml", "b\n");
    r.write("templates/motd/template.yml", "c\n");
    const facts = await planGitFacts(d);
    expect(facts.clean).toBe(false);
    expect([...facts.dirty].sort()).toEqual([
      "infra/domains/new.yml",
      "templates/motd/template.yml",
    ]);
  });

  it("ancestry: a descendant is, a sibling is not", async () => {
    const r = repo();
    const a = r.commit("a");
    const b = r.commit("b");
    r.git("checkout", "-q", a);
    const c = r.commit("c");
    const d = gitDriver(r.dir);
    expect(await d.isAncestor(a, b)).toBe(true);
    expect(await d.isAncestor(b, b)).toBe(true);
    expect(await d.isAncestor(b, c)).toBe(false);
    expect(await d.isAncestor(c, a)).toBe(false);
    expect(await d.mergeBase(b, c)).toBe(a);
  });

  it("changedBetween lists bound paths only; resolve refuses option-like refs", async () => {
    const r = repo();
    r.write("infra/base.yml", "a\n");
    const a = r.commit("a");
    r.write("infra/base.yml", "b\n");
    r.write("docs/x.md", "d\n");
    const b = r.commit("b");
    const d = gitDriver(r.dir);
    expect(await d.changedBetween(a, b)).toEqual(["infra/base.yml"]);
    expect(await d.show(a, "infra/base.yml")).toBe("a\n");
    expect(await d.resolve("main")).toBe(b);
    expect(await d.resolve("nope")).toBeNull();
    await expect(d.resolve("--output=/tmp/x")).rejects.toMatchObject({ code: "PLB919" });
  });
});
