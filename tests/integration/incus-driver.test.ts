// The Incus driver against the real daemon (scripts/incus-sandbox.sh up). In CI these always
// run; on a developer machine without the socket they are skipped, saying why.
import { existsSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../../reconcilers/drivers/incus/api-client.js";
import { connectIncus, defaultSocketPath } from "../../reconcilers/drivers/incus/connect.js";
import {
  CertificateMismatchError,
  DriverError,
  NotFoundError,
} from "../../reconcilers/drivers/incus/errors.js";
import type { IncusApiDriver } from "../../reconcilers/drivers/incus/incus-api-driver.js";
import { certificateFingerprint } from "../../reconcilers/drivers/incus/pinned-agent.js";
import { selfSignedCert } from "../../reconcilers/drivers/incus/testing/self-signed.js";
import { UnixSocketTransport } from "../../reconcilers/drivers/incus/transport.js";
import { incusDriverConformance, testPrefix } from "./incus-driver-conformance.js";

const socket = defaultSocketPath(process.env);
const skip = !process.env.CI && !existsSync(socket);
const why = skip
  ? ` (skipped: no Incus socket at ${socket}; run scripts/incus-sandbox.sh up, CI always runs these)`
  : "";
if (skip) console.warn(`incus-driver integration tests${why}`);

describe.skipIf(skip)(`IncusApiDriver on the real daemon${why}`, () => {
  let driver: IncusApiDriver;

  beforeAll(async () => {
    driver = connectIncus({ kind: "unix", socketPath: socket });
    const info = await driver.server();
    expect(info.environment?.server_version).toMatch(/^6\./);
  });
  afterAll(() => driver?.close());

  describe("conformance", () => {
    incusDriverConformance(() => ({ driver, image: "plumb-busybox" }));
  });

  it("a waited operation reports its result; an unknown operation is NotFound", async () => {
    const err = await driver
      .waitOperation("/1.0/operations/00000000-0000-0000-0000-000000000000")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
  });
});

/** A loopback TCP port nothing listens on right now. */
async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The base64 DER inside a PEM block. */
function pemBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, "");
}

describe.skipIf(skip)(`remote HTTPS with a pinned server certificate${why}`, () => {
  // The daemon listens on loopback only for this test; its previous setting is put back after.
  const id = testPrefix();
  const client = selfSignedCert(`plumbtest-${id}`);
  let admin: ApiClient;
  let previousAddress = "";
  let address = "";
  let serverCert = "";

  beforeAll(async () => {
    admin = new ApiClient(new UnixSocketTransport(socket));
    const info = (await admin.call("GET", "/1.0")).metadata as {
      config: Record<string, string>;
      environment: { certificate: string };
    };
    serverCert = info.environment.certificate;
    previousAddress = info.config["core.https_address"] ?? "";
    address = previousAddress.startsWith("127.0.0.1:")
      ? previousAddress
      : `127.0.0.1:${await freeLoopbackPort()}`;
    if (address !== previousAddress) {
      await admin.call("PATCH", "/1.0", { body: { config: { "core.https_address": address } } });
    }
    await admin.call("POST", "/1.0/certificates", {
      // 6.0.4 wants base64 DER here: a PEM is refused with 400 "illegal base64 data".
      body: { type: "client", name: `plumbtest-${id}`, certificate: pemBody(client.cert) },
    });
  });

  afterAll(async () => {
    const fp = certificateFingerprint(client.cert);
    await admin.call("DELETE", `/1.0/certificates/${fp}`).catch(() => undefined);
    if (address !== previousAddress) {
      await admin
        .call("PATCH", "/1.0", { body: { config: { "core.https_address": previousAddress } } })
        .catch(() => undefined);
    }
    admin.transport.close();
  });

  it("connects with the client certificate when the server certificate matches the pin", async () => {
    const remote = connectIncus({
      kind: "https",
      url: `https://${address}`,
      clientCert: client.cert,
      clientKey: client.key,
      serverCert,
    });
    try {
      const info = await remote.server();
      expect(info.auth).toBe("trusted");
      const projects = await remote.listProjects();
      expect(projects.map((p) => p.name)).toContain("default");
      expect(remote.apiCalls()).toBe(2);
    } finally {
      remote.close();
    }
  });

  it("refuses a server whose certificate is not the pinned one (PLB708)", async () => {
    const remote = connectIncus({
      kind: "https",
      url: `https://${address}`,
      clientCert: client.cert,
      clientKey: client.key,
      serverFingerprint: "ab".repeat(32),
    });
    try {
      const err = await remote.listProjects().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CertificateMismatchError);
      expect((err as CertificateMismatchError).code).toBe("PLB708");
      expect((err as CertificateMismatchError).actual).toBe(certificateFingerprint(serverCert));
    } finally {
      remote.close();
    }
  });

  it("an untrusted client certificate is refused by the server (403)", async () => {
    const stranger = selfSignedCert(`plumbtest-${id}-stranger`);
    const remote = connectIncus({
      kind: "https",
      url: `https://${address}`,
      clientCert: stranger.cert,
      clientKey: stranger.key,
      serverCert,
    });
    try {
      const err = await remote.listProjects().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DriverError);
      expect((err as DriverError).status).toBe(403);
    } finally {
      remote.close();
    }
  });
});
