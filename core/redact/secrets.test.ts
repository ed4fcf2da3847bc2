// `{secret: NAME}` resolution: .plumb/secrets.yml only when private (mode 0600, a regular file),
// then PLUMB_SECRET_<NAME>; errors name the secret, never a value.
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PlumbError } from "../errors.js";
import { resolveSecretInputs, secretResolver } from "./secrets.js";

function repo(content?: string, mode = 0o600): string {
  const root = mkdtempSync(join(tmpdir(), "plumb-secrets-"));
  mkdirSync(join(root, ".plumb"));
  if (content !== undefined) {
    writeFileSync(join(root, ".plumb", "secrets.yml"), content, { mode });
    chmodSync(join(root, ".plumb", "secrets.yml"), mode);
  }
  return root;
}

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof PlumbError
      ? { code: e.code, message: e.message }
      : { code: "?", message: String(e) };
  }
  return undefined;
};

describe("secretResolver", () => {
  it("reads .plumb/secrets.yml (mode 0600) first, then PLUMB_SECRET_<NAME>", () => {
    const root = repo("DB_PASSWORD: from-file\n");
    const secret = secretResolver(root, {
      PLUMB_SECRET_DB_PASSWORD: "from-env",
      PLUMB_SECRET_API: "env-only",
    });

    expect(secret("DB_PASSWORD")).toBe("from-file");
    expect(secret("API")).toBe("env-only");
  });

  it("refuses a secrets file others can read (PLB770), before reading any value", () => {
    const root = repo("DB_PASSWORD: hunter2\n", 0o644);
    const e = codeOf(() => secretResolver(root, { PLUMB_SECRET_DB_PASSWORD: "x" })("DB_PASSWORD"));

    expect(e?.code).toBe("PLB770");
    expect(e?.message).toContain("0644");
  });

  it("refuses a symbolic link as the secrets file (PLB770)", () => {
    const root = repo();
    const target = join(root, "elsewhere.yml");
    writeFileSync(target, "DB_PASSWORD: hunter2\n", { mode: 0o600 });
    symlinkSync(target, join(root, ".plumb", "secrets.yml"));

    expect(codeOf(() => secretResolver(root, {})("DB_PASSWORD"))?.code).toBe("PLB770");
  });

  it("names a missing secret (PLB771) and a broken file (PLB772) without any value", () => {
    const missing = codeOf(() => secretResolver(repo("OTHER: hunter2\n"), {})("DB_PASSWORD"));
    const broken = codeOf(() => secretResolver(repo("DB_PASSWORD: [hunter2\n"), {})("DB_PASSWORD"));
    const list = codeOf(() => secretResolver(repo("- hunter2\n"), {})("DB_PASSWORD"));

    expect(missing?.code).toBe("PLB771");
    expect(missing?.message).toContain("DB_PASSWORD");
    expect(broken?.code).toBe("PLB772");
    expect(list?.code).toBe("PLB772");
    for (const e of [missing, broken, list]) expect(e?.message).not.toContain("hunter2");
  });

  it("replaces every {secret: NAME} input by its value and leaves the others", () => {
    const secret = secretResolver(repo(), { PLUMB_SECRET_PW: "s3cret" });

    expect(resolveSecretInputs({ user: "app", password: { secret: "PW" } }, secret)).toEqual({
      user: "app",
      password: "s3cret",
    });
  });
});
