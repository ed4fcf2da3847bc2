// null for an optional machine key means "empty", as in anklume: accepted, and the validated
// document (what generate and plan read) is the same as with the key absent.
import { describe, expect, it } from "vitest";
import { buildEstate } from "../core/model/estate.js";
import { renderAnsibleTree } from "../generators/ansible/render.js";
import { validateText, yml } from "../tests/kit/infra.js";
import { dropNullMachineKeys, NULLABLE_MACHINE_KEYS } from "./normalize.js";

const estate = (machine: string) => yml`
  project_name: t
  global:
    addressing: {base_octet: 10}
  domains:
    web:
      machines:
        web-1: ${machine}
`;

describe("null optional machine keys", () => {
  it.each([...NULLABLE_MACHINE_KEYS])("accepts %s: null, rendered as if absent", (key) => {
    const withNull = validateText(estate(`{${key}: null}`));
    const absent = validateText(estate("{}"));

    expect(withNull.diagnostics).toEqual([]);
    expect(withNull.ok).toBe(true);
    const render = (r: typeof absent) =>
      // biome-ignore lint/style/noNonNullAssertion: ok is asserted above
      renderAnsibleTree(buildEstate(r.document!)).files.get("host_vars/web-1.yml");
    expect(render(withNull)).toBe(render(absent));
  });

  it("still refuses null where it means nothing (type, ip) and wrong types", () => {
    expect(validateText(estate("{type: null}")).ok).toBe(false);
    expect(validateText(estate("{config: [a]}")).ok).toBe(false);
    expect(validateText(estate("{roles: {a: 1}}")).ok).toBe(false);
  });

  it("does not modify its input and keeps key order", () => {
    const doc = { domains: { web: { machines: { m: { config: null, ip: "x", roles: null } } } } };

    const out = dropNullMachineKeys(doc);

    expect(doc.domains.web.machines.m.config).toBeNull();
    expect(out).toEqual({ domains: { web: { machines: { m: { ip: "x" } } } } });
    expect(dropNullMachineKeys({ domains: { web: { machines: { m: {} } } } })).toEqual({
      domains: { web: { machines: { m: {} } } },
    });
  });
});
