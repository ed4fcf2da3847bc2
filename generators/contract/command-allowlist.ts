// The executables a contract may run, each with its argument forms. Nothing else is a command:
// shells, interpreters and exec wrappers are named here only to say so clearly. A form is a
// fixed sequence of literal arguments and typed slots; a slot value never starts with `-`, so
// no input can become an option. `probe` forms are read-only and may also serve as proofs.

/** A typed argument slot and the pattern its rendered value must match. */
export const SLOTS = {
  name: /^[a-z0-9][a-z0-9._@+-]{0,63}$/,
  timezone: /^(UTC|[A-Z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){1,2})$/,
  hostname: /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/,
  local_url: /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:[0-9]{1,5})?(\/[A-Za-z0-9._~%/-]*)?$/,
} as const;
export type Slot = keyof typeof SLOTS;

export interface CommandForm {
  readonly args: readonly (string | { readonly slot: Slot })[];
  /** Read-only: usable as a proof as well as an operation. */
  readonly probe?: boolean;
  /** Only as a proof (no operation needs it). */
  readonly probeOnly?: boolean;
}

const s = (slot: Slot) => ({ slot }) as const;

export const COMMANDS: Readonly<Record<string, readonly CommandForm[]>> = {
  nginx: [{ args: ["-t"], probe: true }, { args: ["-s", "reload"] }],
  apache2ctl: [{ args: ["configtest"], probe: true }, { args: ["graceful"] }],
  a2ensite: [{ args: [s("name")] }],
  a2dissite: [{ args: [s("name")] }],
  a2enmod: [{ args: [s("name")] }],
  a2dismod: [{ args: [s("name")] }],
  a2enconf: [{ args: [s("name")] }],
  a2disconf: [{ args: [s("name")] }],
  "update-ca-certificates": [{ args: [] }],
  ldconfig: [{ args: [] }],
  "locale-gen": [{ args: [] }],
  newaliases: [{ args: [] }],
  sysctl: [{ args: ["--system"] }],
  systemctl: [{ args: ["daemon-reload"] }],
  timedatectl: [{ args: ["set-timezone", s("timezone")] }],
  hostnamectl: [{ args: ["set-hostname", s("hostname")] }],
  useradd: [{ args: ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", s("name")] }],
  id: [{ args: ["-u", s("name")], probeOnly: true }],
  getent: [
    { args: ["passwd", s("name")], probeOnly: true },
    { args: ["group", s("name")], probeOnly: true },
    { args: ["hosts", s("hostname")], probeOnly: true },
  ],
  curl: [{ args: ["-fsS", "--max-time", "10", s("local_url")], probeOnly: true }],
};

/** Never commands, whatever their arguments: they run code given to them (issue 9 item 3). */
const NEVER =
  /^(sh|bash|dash|zsh|ksh|mksh|csh|tcsh|fish|busybox|env|exec|eval|source|python[0-9.]*|perl[0-9.]*|ruby[0-9.]*|php[0-9.]*|node(js)?|lua[0-9.]*|tclsh.*|awk|gawk|mawk|nawk|find|xargs|parallel|sudo|su|doas|runuser|setpriv|nohup|setsid|timeout|nice|ionice|chroot|nsenter|unshare|systemd-run|at|batch|crontab|script|expect|watch|flock|strace|ltrace|gdb|sed|vi|vim|ed|ex|less|more|man|git|ssh|scp|rsync|socat|nc|ncat|netcat|telnet|openssl|tar|zip|unzip|cp|mv|tee|dd|install|chmod|chown|ln|rm|make|gcc|cc)$/;

export interface CommandIssue {
  readonly code: "PLB825" | "PLB826";
  readonly message: string;
}

function formText(exec: string, f: CommandForm): string {
  return [exec, ...f.args.map((a) => (typeof a === "string" ? a : `<${a.slot}>`))].join(" ");
}

/** Checks an `exec` before rendering: an allowlisted name or a declared executable asset. */
export function checkExec(
  exec: string,
  assets: ReadonlySet<string>,
  as: "operation" | "proof",
): CommandIssue | undefined {
  if (exec.startsWith("/")) {
    if (assets.has(exec)) return undefined;
    return {
      code: "PLB825",
      message: `'${exec}' is not a declared executable asset (bom entry with executable: true)`,
    };
  }
  const base = exec.split("/").pop() ?? exec;
  if (NEVER.test(base))
    return {
      code: "PLB825",
      message: `'${exec}' runs code given to it (shell, interpreter or exec wrapper): it is never a command`,
    };
  const forms = COMMANDS[exec];
  if (!forms || !Object.hasOwn(COMMANDS, exec))
    return {
      code: "PLB825",
      message: `'${exec}' is not in the command allowlist (${Object.keys(COMMANDS).join(", ")})`,
    };
  if (as === "operation" && forms.every((f) => f.probeOnly))
    return { code: "PLB825", message: `'${exec}' is allowed in proofs only` };
  return undefined;
}

/** Checks rendered arguments against the executable's forms (assets: literal arguments only). */
export function checkArgs(
  exec: string,
  args: readonly string[],
  assets: ReadonlySet<string>,
  as: "operation" | "proof",
): CommandIssue | undefined {
  if (assets.has(exec)) return undefined;
  const forms = (COMMANDS[exec] ?? []).filter((f) =>
    as === "proof" ? f.probe || f.probeOnly : !f.probeOnly,
  );
  const fits = (f: CommandForm) =>
    f.args.length === args.length &&
    f.args.every((want, i) => {
      const got = args[i] as string;
      return typeof want === "string" ? got === want : SLOTS[want.slot].test(got);
    });
  if (forms.some(fits)) return undefined;
  return {
    code: "PLB826",
    message: `${JSON.stringify([exec, ...args])} matches no allowed form of '${exec}'${as === "proof" ? " for a proof" : ""}: ${forms.map((f) => formText(exec, f)).join(" | ") || "(none)"}`,
  };
}
