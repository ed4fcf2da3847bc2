// An https.Agent whose connections are accepted only when the server's certificate has the pinned
// SHA-256 fingerprint. CA trust and host names play no part (Incus server certificates are
// self-signed); the check runs after the TLS handshake and before any HTTP byte is sent.
import { X509Certificate } from "node:crypto";
import https from "node:https";
import type { Duplex } from "node:stream";
import tls from "node:tls";
import { ConnectionSettingsError } from "./errors.js";

export interface PinnedTlsOptions {
  /** Client certificate (PEM) trusted by the server (`incus config trust add-certificate`). */
  readonly clientCert: string;
  /** Its private key (PEM). */
  readonly clientKey: string;
  /** The server certificate (PEM) to pin; its fingerprint is computed. */
  readonly serverCert?: string;
  /** Or the pin itself: SHA-256 of the server certificate's DER, hex, colons optional. */
  readonly serverFingerprint?: string;
}

/** Raised inside the agent; the transport turns it into CertificateMismatchError. */
export class PinMismatch extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`server certificate fingerprint ${actual || "(none)"} is not the pinned ${expected}`);
    this.name = "PinMismatch";
  }
}

/** Lowercase hex without separators; throws on anything but 64 hex digits. */
export function normalizeFingerprint(fingerprint: string): string {
  const hex = fingerprint.replace(/[:\s]/g, "").toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new ConnectionSettingsError(
      `not a SHA-256 certificate fingerprint: ${JSON.stringify(fingerprint)}`,
    );
  }
  return hex;
}

/** SHA-256 fingerprint of a PEM certificate, in the form normalizeFingerprint returns. */
export function certificateFingerprint(pem: string): string {
  try {
    return normalizeFingerprint(new X509Certificate(pem).fingerprint256);
  } catch (err) {
    if (err instanceof ConnectionSettingsError) throw err;
    throw new ConnectionSettingsError(`cannot read the server certificate: ${String(err)}`);
  }
}

function pinFrom(options: PinnedTlsOptions): string {
  const fromCert =
    options.serverCert === undefined ? undefined : certificateFingerprint(options.serverCert);
  const given =
    options.serverFingerprint === undefined
      ? undefined
      : normalizeFingerprint(options.serverFingerprint);
  if (fromCert !== undefined && given !== undefined && fromCert !== given) {
    throw new ConnectionSettingsError(
      "the pinned server certificate and the pinned fingerprint disagree",
    );
  }
  const pin = fromCert ?? given;
  if (pin === undefined) {
    throw new ConnectionSettingsError(
      "a remote Incus needs the server certificate or its SHA-256 fingerprint to pin",
    );
  }
  return pin;
}

export class PinnedAgent extends https.Agent {
  readonly pin: string;
  readonly #options: PinnedTlsOptions;

  constructor(options: PinnedTlsOptions, agentOptions: https.AgentOptions = {}) {
    // No TLS session cache: a resumed session shows no peer certificate to check.
    super({ ...agentOptions, maxCachedSessions: 0 });
    if (!options.clientCert || !options.clientKey) {
      throw new ConnectionSettingsError(
        "a remote Incus needs a client certificate and key (PEM) trusted by the server",
      );
    }
    this.pin = pinFrom(options);
    this.#options = options;
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const host = options.host ?? "localhost";
    const socket = tls.connect({
      host,
      port: Number(options.port ?? 8443),
      ...(tlsServername(host) === undefined ? {} : { servername: tlsServername(host) }),
      cert: this.#options.clientCert,
      key: this.#options.clientKey,
      // Incus servers speak TLS 1.3 only.
      minVersion: "TLSv1.3",
      // Trust comes from the pin below, not from a CA chain or the host name.
      rejectUnauthorized: false,
    });
    const fail = (err: Error): void => {
      socket.destroy();
      callback?.(err, socket);
    };
    socket.once("error", fail);
    socket.once("secureConnect", () => {
      socket.off("error", fail);
      const actual = socket.getPeerCertificate().fingerprint256;
      const actualHex = actual ? actual.replace(/:/g, "").toLowerCase() : "";
      if (actualHex !== this.pin) {
        fail(new PinMismatch(this.pin, actualHex));
        return;
      }
      callback?.(null, socket);
    });
    return undefined;
  }
}

/** SNI only for names, never for IP literals (TLS forbids it). */
function tlsServername(host: string): string | undefined {
  return /^[\d.]+$/.test(host) || host.includes(":") ? undefined : host;
}
