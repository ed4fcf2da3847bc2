// Machine rules: GPU policy, isolation advice, privileged containers, generated device names,
// mount paths and shared-volume consumers.
import { describe, expect, it } from "vitest";
import { checkRule, errorsOf, found, validateText, yml } from "../../tests/kit/infra.js";
import {
  generatedDevicesDoNotCollide,
  gpuPolicyHolds,
  mountPathsAreUnique,
  privilegedContainersFlagged,
  sharedVolumeConsumersResolve,
  untrustedZonesPreferVms,
} from "./machines.js";

describe("gpuPolicyHolds", () => {
  /** Domain `ai` with a `cuda` profile (gpu device) and a `plain` one; machines from line 14. */
  const gpu = (policy: string, ...machines: string[]) => yml`
    project_name: t
    global:
      addressing: {base_octet: 10}
      gpu_policy: ${policy}
    domains:
      ai:
        profiles:
          cuda:
            devices:
              gpu0: {type: gpu}
          plain:
            config: {limits.cpu: "2"}
        machines:
    ${machines.join("\n")}
  `;

  it("accepts one GPU instance under the default exclusive policy", () => {
    const text = gpu("exclusive", "      a1: {gpu: true}", "      a2: {profiles: [plain]}");

    expect(checkRule(gpuPolicyHolds, text)).toEqual([]);
    expect(errorsOf(validateText(text))).toEqual([]);
  });

  it("is exclusive by default: a second GPU instance (through a profile device) is an error", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        ai:
          profiles:
            cuda:
              devices:
                gpu0: {type: gpu}
          machines:
            a1: {gpu: true}
            a2: {profiles: [cuda]}
    `;

    expect(found(checkRule(gpuPolicyHolds, text))).toEqual([
      { code: "PLB501", severity: "error", at: "infra.yml:12:7" },
    ]);
  });

  it("reports every GPU instance after the first", () => {
    const text = gpu(
      "exclusive",
      "      a1: {gpu: true}",
      "      a2: {gpu: true}",
      "      a3: {profiles: [default, cuda]}",
    );

    expect(found(checkRule(gpuPolicyHolds, text))).toEqual([
      { code: "PLB501", severity: "error", at: "infra.yml:15:7" },
      { code: "PLB501", severity: "error", at: "infra.yml:16:7" },
    ]);
  });

  it("counts GPU instances of disabled domains (anklume does too)", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        old:
          enabled: false
          machines:
            o1: {gpu: true}
        ai:
          machines:
            a1: {gpu: true}
    `;

    expect(found(checkRule(gpuPolicyHolds, text))).toEqual([
      { code: "PLB501", severity: "error", at: "infra.yml:11:7" },
    ]);
  });

  it("only warns once when the policy is shared", () => {
    const text = gpu(
      "shared",
      "      a1: {gpu: true}",
      "      a2: {profiles: [cuda]}",
      "      a3: {gpu: true}",
    );

    expect(found(checkRule(gpuPolicyHolds, text))).toEqual([
      { code: "PLB502", severity: "warning", at: "infra.yml:15:7" },
    ]);
    expect(validateText(text).ok).toBe(true);
  });

  it("ignores `gpu: false`", () => {
    const text = gpu("exclusive", "      a1: {gpu: true}", "      a2: {gpu: false}");

    expect(checkRule(gpuPolicyHolds, text)).toEqual([]);
  });
});

describe("untrustedZonesPreferVms", () => {
  const zone = (trust: string) => yml`
    project_name: t
    global:
      addressing: {base_octet: 10}
    domains:
      lab:
        trust_level: ${trust}
        machines:
          c1: {}
          c2: {type: lxc}
          v1: {type: vm}
  `;

  it.each(["admin", "trusted", "semi-trusted"])("is silent in a %s domain", (trust) => {
    expect(checkRule(untrustedZonesPreferVms, zone(trust))).toEqual([]);
  });

  it.each(["untrusted", "disposable"])("warns about each container in a %s domain", (trust) => {
    const text = zone(trust);

    expect(found(checkRule(untrustedZonesPreferVms, text))).toEqual([
      { code: "PLB503", severity: "warning", at: "infra.yml:8:7" },
      { code: "PLB503", severity: "warning", at: "infra.yml:9:7" },
    ]);
    expect(validateText(text).ok).toBe(true);
  });
});

describe("privilegedContainersFlagged", () => {
  const privileged = (type: string, value: string) => yml`
    project_name: t
    global:
      addressing: {base_octet: 10}
    domains:
      web:
        machines:
          w1:
            type: ${type}
            config:
              security.privileged: ${value}
  `;

  it.each(['"false"', "false", '"0"'])("is silent for security.privileged %s", (value) => {
    expect(checkRule(privilegedContainersFlagged, privileged("lxc", value))).toEqual([]);
  });

  it("is silent for a VM", () => {
    expect(checkRule(privilegedContainersFlagged, privileged("vm", "true"))).toEqual([]);
  });

  it.each(["true", '"true"', '"TRUE"', '"True"'])(
    "warns about security.privileged %s on a container, at the value",
    (value) => {
      const text = privileged("lxc", value);

      expect(found(checkRule(privilegedContainersFlagged, text))).toEqual([
        { code: "PLB504", severity: "warning", at: "infra.yml:10:32" },
      ]);
      expect(validateText(text).ok).toBe(true);
    },
  );
});

describe("generatedDevicesDoNotCollide", () => {
  it("accepts user devices whose names differ from the generated ones", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        web:
          machines:
            w1:
              persistent_data:
                data: {path: /srv/data}
              devices:
                data: {type: disk, path: /x, source: /y}
                sv-other: {type: disk, path: /z, source: /w}
      shared_volumes:
        logs:
          consumers: {web: ro}
    `;

    expect(checkRule(generatedDevicesDoNotCollide, text)).toEqual([]);
    expect(errorsOf(validateText(text))).toEqual([]);
  });

  it("rejects a user device named pd-<persistent_data name>", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        web:
          machines:
            w1:
              persistent_data:
                data: {path: /srv/data}
              devices:
                pd-data: {type: disk, path: /x, source: /y}
    `;

    expect(found(checkRule(generatedDevicesDoNotCollide, text))).toEqual([
      { code: "PLB505", severity: "error", at: "infra.yml:11:11" },
    ]);
  });

  it("rejects a user device named sv-<volume> on a consumer through its domain", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        web:
          machines:
            w1:
              devices:
                sv-logs: {type: disk}
      shared_volumes:
        logs:
          consumers: {web: ro}
    `;

    expect(found(checkRule(generatedDevicesDoNotCollide, text))).toEqual([
      { code: "PLB505", severity: "error", at: "infra.yml:9:11" },
    ]);
  });

  it("does not treat a machine named like an Object.prototype member as a consumer", () => {
    // `constructor` is a valid machine name; `in` on a plain object would find it everywhere.
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        web:
          machines:
            constructor:
              devices:
                sv-logs: {type: disk}
        db:
          machines:
            d1: {}
      shared_volumes:
        logs:
          consumers: {db: ro}
    `;

    expect(checkRule(generatedDevicesDoNotCollide, text)).toEqual([]);
    expect(errorsOf(validateText(text))).toEqual([]);
  });
});

describe("mountPathsAreUnique", () => {
  it("accepts the same path on different machines", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        web:
          machines:
            w1: {}
        db:
          machines:
            d1:
              persistent_data:
                x: {path: /mnt/x}
      shared_volumes:
        a:
          path: /mnt/x
          consumers: {web: ro}
    `;

    expect(checkRule(mountPathsAreUnique, text)).toEqual([]);
    expect(errorsOf(validateText(text))).toEqual([]);
  });

  it("rejects two shared volumes mounted at one path, at the second volume's path", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        web:
          machines:
            w1: {}
      shared_volumes:
        a:
          path: /mnt/x
          consumers: {web: ro}
        b:
          path: /mnt/x
          consumers: {w1: rw}
    `;

    expect(found(checkRule(mountPathsAreUnique, text))).toEqual([
      { code: "PLB506", severity: "error", at: "infra.yml:13:11" },
    ]);
  });

  it("rejects persistent data mounted at a shared volume's default path (/shared/<vol>)", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        web:
          machines:
            w1:
              persistent_data:
                d: {path: /shared/x}
      shared_volumes:
        x:
          consumers: {w1: rw}
    `;

    expect(found(checkRule(mountPathsAreUnique, text))).toEqual([
      { code: "PLB506", severity: "error", at: "infra.yml:9:21" },
    ]);
  });

  it("rejects two persistent_data entries with one path", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        web:
          machines:
            w1:
              persistent_data:
                a: {path: /data}
                b: {path: /data}
    `;

    expect(found(checkRule(mountPathsAreUnique, text))).toEqual([
      { code: "PLB506", severity: "error", at: "infra.yml:10:21" },
    ]);
  });
});

describe("sharedVolumeConsumersResolve", () => {
  it("accepts domain and machine consumers", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        web:
          machines:
            w1: {}
        db: {}
      shared_volumes:
        logs:
          consumers: {db: ro, w1: rw}
    `;

    expect(checkRule(sharedVolumeConsumersResolve, text)).toEqual([]);
    expect(errorsOf(validateText(text))).toEqual([]);
  });

  it("rejects an unknown consumer at its key, suggesting the closest name", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        web: {}
      shared_volumes:
        logs:
          consumers:
            wbe: ro
    `;

    const diagnostics = checkRule(sharedVolumeConsumersResolve, text);

    expect(found(diagnostics)).toEqual([
      { code: "PLB507", severity: "error", at: "infra.yml:9:7" },
    ]);
    expect(diagnostics[0]?.hint).toBe("did you mean 'web'?");
  });
});
