// The Incus instance transport against the real daemon: file writes through the file API
// (parents created, modes, binary bytes, atomic replace) and exec (exit codes, output, timeout).
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContractSandbox } from "../../reconcilers/contract/sandbox.js";
import { IncusTransport, TIMEOUT_EXIT } from "../../reconcilers/delivery/incus-transport.js";
import { ApiClient } from "../../reconcilers/drivers/incus/api-client.js";
import { connectIncus, defaultSocketPath } from "../../reconcilers/drivers/incus/connect.js";
import { UnixSocketTransport } from "../../reconcilers/drivers/incus/transport.js";
import { HAVE_INCUS } from "../kit/trust-target.js";

describe.skipIf(!HAVE_INCUS)("IncusTransport on a real container", { timeout: 120_000 }, () => {
  const driver = connectIncus({ kind: "unix" }, {}, process.env);
  const api = new ApiClient(new UnixSocketTransport(defaultSocketPath(process.env)));
  let box: ContractSandbox;
  let t: IncusTransport;
  beforeAll(async () => {
    box = await ContractSandbox.launch(
      { driver, api, project: "default" },
      "plumb-debian",
      "plumb-dt",
    );
    t = new IncusTransport({ api, project: "default", instance: box.name, machine: "web-1" });
  });
  afterAll(async () => {
    await box?.destroy();
    driver.close();
    api.transport.close();
  });

  it("writes a file as root with its mode, creating parent directories, byte for byte", async () => {
    const bytes = new Uint8Array(randomBytes(70_000));
    await t.put("/var/lib/plumb-test/a/b/blob", bytes, "0600");
    const r = await t.run([
      "sh",
      "-c",
      "stat -c '%u %g %a %s' /var/lib/plumb-test/a/b/blob; sha256sum /var/lib/plumb-test/a/b/blob",
    ]);
    expect(r.code).toBe(0);
    const [stat, sum] = r.stdout.trim().split("\n");
    expect(stat).toBe("0 0 600 70000");
    const { createHash } = await import("node:crypto");
    expect(sum?.split(" ")[0]).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(t.machine).toBe("web-1");
    expect(t.kind).toBe("instance");
  });

  it("replaces the file by a rename: no temporary file is left beside it", async () => {
    await t.put("/etc/plumb-test/conf", new TextEncoder().encode("one\n"), "0644");
    await t.put("/etc/plumb-test/conf", new TextEncoder().encode("two\n"), "0644");
    const r = await t.run(["sh", "-c", "cat /etc/plumb-test/conf; ls -A /etc/plumb-test"]);
    expect(r.stdout).toBe("two\nconf\n");
  });

  it("replaces a symlink at the path instead of writing through it", async () => {
    await t.run([
      "sh",
      "-c",
      "echo keep > /root/victim; ln -sfn /root/victim /etc/plumb-test/link",
    ]);
    await t.put("/etc/plumb-test/link", new TextEncoder().encode("new\n"), "0644");
    const r = await t.run([
      "sh",
      "-c",
      "cat /root/victim; test -L /etc/plumb-test/link || echo plain",
    ]);
    expect(r.stdout).toBe("keep\nplain\n");
  });

  it("refuses a relative or unnormalised path before sending anything", async () => {
    await expect(t.put("etc/x", new Uint8Array(), "0644")).rejects.toMatchObject({
      code: "PLB777",
    });
    await expect(t.put("/etc/../root/x", new Uint8Array(), "0644")).rejects.toMatchObject({
      code: "PLB777",
    });
    await expect(t.put("/etc/x", new Uint8Array(), "rw")).rejects.toMatchObject({ code: "PLB777" });
  });

  it("runs argv without a shell and reports exit code, stdout and stderr", async () => {
    const r = await t.run([
      "sh",
      "-c",
      'printf "%s" "$1"; echo err >&2; exit 3',
      "x",
      "$(id) ; `id`",
    ]);
    expect(r).toEqual({ code: 3, stdout: "$(id) ; `id`", stderr: "err\n" });
  });

  it("records a config key without touching the description, other config or devices", async () => {
    const url = `/1.0/instances/${box.name}?project=default`;
    const before = await api.call("GET", url, { project: "default" });
    await api.call("PATCH", url, {
      project: "default",
      etag: before.etag,
      body: { description: "kept by setConfig", config: { "user.other": "x" } },
    });
    const read = async () =>
      (await api.call("GET", url, { project: "default" })).metadata as {
        description: string;
        config: Record<string, string>;
        devices: Record<string, unknown>;
        profiles: string[];
      };
    const was = await read();
    await t.setConfig("user.plumb.contract.motd", "sha256:abc");
    const now = await read();
    expect(now.description).toBe("kept by setConfig");
    expect(now.config["user.plumb.contract.motd"]).toBe("sha256:abc");
    expect(now.config["user.other"]).toBe("x");
    expect(now.devices).toEqual(was.devices);
    expect(now.profiles).toEqual(was.profiles);
  });

  it("kills a command past its timeout inside the instance", async () => {
    const started = Date.now();
    const r = await t.run(["sleep", "30"], { timeoutMs: 1500 });
    expect(r.code).toBe(TIMEOUT_EXIT);
    expect(Date.now() - started).toBeLessThan(15_000);
    const ps = await t.run(["sh", "-c", "pgrep -x sleep || true"]);
    expect(ps.stdout.trim()).toBe("");
  });
});
