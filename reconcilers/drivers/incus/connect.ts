// Builds an IncusApiDriver for the local unix socket or a pinned HTTPS remote.
import { ConnectionSettingsError } from "./errors.js";
import { IncusApiDriver, type IncusApiDriverOptions } from "./incus-api-driver.js";
import type { PinnedTlsOptions } from "./pinned-agent.js";
import { HttpsTransport, UnixSocketTransport } from "./transport.js";

export const DEFAULT_INCUS_SOCKET = "/var/lib/incus/unix.socket";

export type IncusConnection =
  | { readonly kind: "unix"; readonly socketPath?: string }
  | ({ readonly kind: "https"; readonly url: string } & PinnedTlsOptions);

/** `$INCUS_SOCKET`, else `$INCUS_DIR/unix.socket`, else /var/lib/incus/unix.socket. */
export function defaultSocketPath(env: Readonly<Record<string, string | undefined>>): string {
  if (env.INCUS_SOCKET) return env.INCUS_SOCKET;
  if (env.INCUS_DIR) return `${env.INCUS_DIR.replace(/\/+$/, "")}/unix.socket`;
  return DEFAULT_INCUS_SOCKET;
}

/**
 * A driver for `connection` (the local socket when omitted). Nothing is sent until the first
 * call; settings errors (a remote without certificate or pin) throw here.
 */
export function connectIncus(
  connection: IncusConnection = { kind: "unix" },
  options: IncusApiDriverOptions = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): IncusApiDriver {
  if (connection.kind === "unix") {
    return new IncusApiDriver(
      new UnixSocketTransport(connection.socketPath ?? defaultSocketPath(env)),
      options,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(connection.url);
  } catch {
    throw new ConnectionSettingsError(`not a URL: ${JSON.stringify(connection.url)}`);
  }
  if (parsed.protocol !== "https:") {
    throw new ConnectionSettingsError(
      `a remote Incus is reached over https://, not ${parsed.protocol}`,
    );
  }
  return new IncusApiDriver(new HttpsTransport(connection), options);
}
