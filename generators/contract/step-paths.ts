// Path rules for rendered step paths. A path is checked after rendering: absolute, normalized,
// printable; the part filled from inputs stays inside the literal folder before the first
// template expression (the BOM root) and consists of plain name segments. Destinations a
// contract writes (BOM files, directories, symlinks) must also lie under an allowed root and
// outside the places that would hand a machine over (credentials, sudo, ssh, boot, code run at
// login, by cron, by systemd or by apt hooks, plumb's own trust and state).

export type PathUse = "read" | "write" | "executable";

const WRITE_ROOTS = [
  "/etc/",
  "/srv/",
  "/var/www/",
  "/opt/",
  "/usr/local/etc/",
  "/usr/local/share/",
  "/var/lib/",
  "/var/log/",
  "/var/cache/",
];
const EXECUTABLE_ROOTS = ["/usr/local/bin/", "/usr/local/sbin/", "/opt/"];

/** Prefixes (or exact files) never written by a contract. */
const DENIED = [
  "/etc/shadow",
  "/etc/gshadow",
  "/etc/passwd",
  "/etc/group",
  "/etc/sudoers",
  "/etc/ssh/",
  "/etc/pam.d/",
  "/etc/security/",
  "/etc/ld.so.",
  "/etc/profile",
  "/etc/bash.bashrc",
  "/etc/environment",
  "/etc/cron",
  "/etc/anacrontab",
  "/etc/systemd/",
  "/etc/init.d/",
  "/etc/rc",
  "/etc/udev/",
  "/etc/apt/",
  "/etc/logrotate.d/",
  "/etc/update-motd.d/",
  "/etc/polkit-1/",
  "/etc/plumb/",
  "/etc/hosts.allow",
  "/etc/hosts.deny",
  "/var/lib/plumb/",
  "/var/lib/dpkg/",
  "/var/lib/apt/",
  "/var/lib/systemd/",
  "/var/log/plumb/",
];
const DENIED_SEGMENTS = new Set([".ssh", "authorized_keys", ".bashrc", ".profile", ".gnupg"]);
const SEGMENT = /^[A-Za-z0-9_@+=,.-]+$/;

/** The literal folder before the first `{{`/`{%` (with its trailing slash), or undefined. */
export function bomRoot(template: string): string | undefined {
  const at = template.search(/\{[{%]/);
  if (at < 0) return undefined;
  return template.slice(0, template.lastIndexOf("/", at) + 1);
}

/** Why `rendered` (from `template`) is not allowed for `use`, or undefined. */
export function pathProblem(rendered: string, template: string, use: PathUse): string | undefined {
  if (!rendered.startsWith("/")) return `'${rendered}' is not absolute`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters
  if (/[\u0000-\u001f\u007f]/.test(rendered))
    return `${JSON.stringify(rendered)} contains control characters`;
  const segments = rendered.slice(1).split("/");
  if (segments.some((x) => x === "" || x === "." || x === ".."))
    return `'${rendered}' is not normalized (empty, '.' or '..' segments)`;
  const root = bomRoot(template);
  if (root !== undefined) {
    if (!rendered.startsWith(root))
      return `'${rendered}' leaves its BOM root '${root}' (the literal folder of '${template}')`;
    const filled = rendered.slice(root.length).split("/");
    if (filled.some((x) => !SEGMENT.test(x)))
      return `'${rendered}': the part filled from inputs must be plain name segments`;
  }
  if (use === "read") return undefined;
  const roots = use === "executable" ? EXECUTABLE_ROOTS : WRITE_ROOTS;
  if (!roots.some((r) => rendered.startsWith(r) && rendered.length > r.length))
    return `'${rendered}' is outside the ${use === "executable" ? "executable" : "write"} allowlist (${roots.join(", ")})`;
  const denied = DENIED.find((d) => rendered === d || rendered.startsWith(d));
  if (denied) return `'${rendered}' is a protected location (${denied}…)`;
  const seg = segments.find((x) => DENIED_SEGMENTS.has(x));
  if (seg) return `'${rendered}' is a protected location (${seg})`;
  return undefined;
}
