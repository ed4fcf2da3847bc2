// Redaction: which config keys are secrets, the digest form, and the plan's redact/restore
// round trip (values back for apply only; an unknown digest is PLB773).
import { describe, expect, it } from "vitest";
import { PlumbError } from "../errors.js";
import {
  adoptSecrets,
  holdSecrets,
  redactSecrets,
  restoreSecrets,
  withSecrets,
} from "./plan-secrets.js";
import { isRedacted, isSensitiveConfigKey, redactConfig, redactValue } from "./redact.js";

describe("isSensitiveConfigKey", () => {
  it.each([
    ["environment.DB_PASSWORD", true],
    ["environment.api_token", true],
    ["environment.AWS_SECRET_ACCESS_KEY", true],
    ["environment.SSH_KEY", true],
    ["environment.monkey", true],
    ["environment.HOME", false],
    ["limits.memory", false],
    ["user.password", false],
  ])("%s → %s", (key, sensitive) => {
    expect(isSensitiveConfigKey(key)).toBe(sensitive);
  });
});

describe("redactValue", () => {
  it("is `(sensitive) sha256:<12 hex>`, stable, and differs between values", () => {
    const a = redactValue("hunter2");

    expect(a).toMatch(/^\(sensitive\) sha256:[0-9a-f]{12}$/);
    expect(redactValue("hunter2")).toBe(a);
    expect(redactValue("hunter3")).not.toBe(a);
    expect(isRedacted(a)).toBe(true);
    expect(isRedacted("(sensitive) sha256:nothex")).toBe(false);
  });

  it("redactConfig hides only the sensitive keys and keeps the object when there are none", () => {
    const plain = { "limits.cpu": "2" };

    expect(redactConfig(plain)).toBe(plain);
    expect(redactConfig({ ...plain, "environment.DB_PASSWORD": "hunter2" })).toEqual({
      "limits.cpu": "2",
      "environment.DB_PASSWORD": redactValue("hunter2"),
    });
  });
});

describe("plan secrets", () => {
  const changes = [
    {
      action: "update",
      desired: { config: { "environment.DB_PASSWORD": "new-pass", "limits.cpu": "2" } },
      fields: [
        { path: "config.environment.DB_PASSWORD", before: "old-pass", after: "new-pass" },
        { path: "config.limits.cpu", before: "1", after: "2" },
      ],
    },
  ];

  it("redacts config values and field changes, keeps the rest, and restores exactly", () => {
    const { value, secrets } = redactSecrets(changes);
    const text = JSON.stringify(value);

    expect(text).not.toContain("new-pass");
    expect(text).not.toContain("old-pass");
    expect(value[0]?.fields[1]).toEqual({ path: "config.limits.cpu", before: "1", after: "2" });
    expect(restoreSecrets(value, secrets)).toEqual(changes);
  });

  it("gives apply the values of the plan derived now, and refuses a digest it cannot match", () => {
    const { value, secrets } = redactSecrets(changes);
    const derived = holdSecrets({ changes: value }, secrets);
    const saved = JSON.parse(JSON.stringify({ changes: value })) as typeof derived;

    expect(withSecrets(adoptSecrets(saved, derived)).changes).toEqual(changes);
    const e = (() => {
      try {
        withSecrets(JSON.parse(JSON.stringify(saved)) as typeof saved);
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(PlumbError);
    expect((e as PlumbError).code).toBe("PLB773");
  });
});
