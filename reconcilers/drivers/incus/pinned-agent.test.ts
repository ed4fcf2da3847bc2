// Remote HTTPS with a pinned server certificate, against the fake Incus on TLS (loopback, self-
// signed certificates made with openssl): the pin, not CA trust or the host name, decides.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectIncus, defaultSocketPath } from "./connect.js";
import { CertificateMismatchError, ConnectionError, ConnectionSettingsError } from "./errors.js";
import { certificateFingerprint, normalizeFingerprint } from "./pinned-agent.js";
import { FakeIncusServer } from "./testing/fake-incus-server.js";
import { selfSignedCert } from "./testing/self-signed.js";

describe("pinned HTTPS transport", () => {
  const server = selfSignedCert("fake-incus");
  const client = selfSignedCert("plumb-client");
  let fake: FakeIncusServer;
  let url: string;

  beforeAll(async () => {
    fake = await FakeIncusServer.start({ kind: "tls", cert: server.cert, key: server.key });
    url = `https://127.0.0.1:${fake.port}`;
  });
  afterAll(() => fake.close());

  const remote = (pin: { serverCert?: string; serverFingerprint?: string }) =>
    connectIncus({
      kind: "https",
      url,
      clientCert: client.cert,
      clientKey: client.key,
      ...pin,
    });

  it("talks to a server whose certificate matches the pinned PEM, presenting the client certificate", async () => {
    const driver = remote({ serverCert: server.cert });
    try {
      const projects = await driver.listProjects();
      expect(projects.map((p) => p.name)).toEqual(["default"]);
      expect(fake.clientFingerprints).toContain(certificateFingerprint(client.cert));
    } finally {
      driver.close();
    }
  });

  it("accepts the pin as a colon-separated upper-case fingerprint too", async () => {
    const colons = certificateFingerprint(server.cert).toUpperCase().match(/../g)?.join(":") ?? "";
    const driver = remote({ serverFingerprint: colons });
    try {
      expect((await driver.server()).environment?.server_version).toBe("6.0.4");
    } finally {
      driver.close();
    }
  });

  it("refuses a certificate that is not the pinned one, before sending any request (PLB708)", async () => {
    const seen = fake.requests.length;
    const other = selfSignedCert("impostor");
    const driver = remote({ serverCert: other.cert });
    try {
      const err = await driver.listProjects().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CertificateMismatchError);
      const e = err as CertificateMismatchError;
      expect(e.code).toBe("PLB708");
      expect(e.expected).toBe(certificateFingerprint(other.cert));
      expect(e.actual).toBe(certificateFingerprint(server.cert));
      expect(e.endpoint).toBe("/1.0/projects?recursion=1");
      expect(fake.requests.length).toBe(seen);
    } finally {
      driver.close();
    }
  });

  it("reports a closed port as ConnectionError (PLB701)", async () => {
    const driver = connectIncus({
      kind: "https",
      url: "https://127.0.0.1:1",
      clientCert: client.cert,
      clientKey: client.key,
      serverCert: server.cert,
    });
    try {
      const err = await driver.server().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionError);
    } finally {
      driver.close();
    }
  });

  it("rejects incomplete or contradictory settings up front (PLB710)", () => {
    const base = { kind: "https" as const, url, clientCert: client.cert, clientKey: client.key };
    const cases = [
      () => connectIncus({ ...base }),
      () => connectIncus({ ...base, clientKey: "", serverCert: server.cert }),
      () => connectIncus({ ...base, serverFingerprint: "abc" }),
      () => connectIncus({ ...base, serverCert: "not a certificate" }),
      () => connectIncus({ ...base, serverCert: server.cert, serverFingerprint: "00".repeat(32) }),
      () => connectIncus({ ...base, url: "http://127.0.0.1:8443", serverCert: server.cert }),
    ];
    for (const make of cases) {
      expect(make).toThrow(ConnectionSettingsError);
      try {
        make();
      } catch (e) {
        expect((e as ConnectionSettingsError).code).toBe("PLB710");
      }
    }
  });
});

describe("fingerprints and socket path", () => {
  it("normalizes fingerprints to 64 lower-case hex digits", () => {
    expect(normalizeFingerprint(`AB:${"cd:".repeat(30)}EF`)).toBe(`ab${"cd".repeat(30)}ef`);
  });

  it("takes $INCUS_SOCKET, else $INCUS_DIR/unix.socket, else /var/lib/incus/unix.socket", () => {
    expect(defaultSocketPath({ INCUS_SOCKET: "/s", INCUS_DIR: "/d" })).toBe("/s");
    expect(defaultSocketPath({ INCUS_DIR: "/d/" })).toBe("/d/unix.socket");
    expect(defaultSocketPath({})).toBe("/var/lib/incus/unix.socket");
  });
});
