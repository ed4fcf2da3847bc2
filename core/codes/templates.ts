// Template language and bounded step types (PLB823–PLB829, PLB832–PLB839): what the template
// gatekeeper and forge refuse so that no template or input becomes code the review did not see.
import type { CodeInfo } from "./code-info.js";

export const TEMPLATE_CODES = {
  PLB823: {
    title: "template construct not allowed",
    help: "Templates use a restricted nunjucks: `{{ input }}`, `{{ a.b }}`/`{{ a[0] }}` lookups into data, allowed filters (escape, upper, lower, default, join, trim, replace…), `is defined`-style tests, `{% if %}` and `{% for %}`. Calls, `{% set %}`/include/import/macro/extends, computed keys, undeclared names and names reaching functions or prototypes (constructor, __proto__, prototype…) are refused before anything renders. The message gives the template file's own line and column.",
  },
  PLB824: {
    title: "path not allowed",
    help: "A destination path (bom, directory, symlink, gates and proofs) must be absolute and normalized after rendering — no `..` or `.` segments, no empty segments, no control characters — and a part filled from inputs must stay inside the literal folder before it (the BOM root). Paths that would hand over a machine (/etc/shadow, /etc/sudoers*, ssh keys and authorized_keys, /root, /boot, /proc, /sys, /dev, cron, ld.so.preload…) are refused.",
  },
  PLB825: {
    title: "command not allowed",
    help: "Operations and probes run only executables from plumb's allowlist (docs/contracts.md lists them with their argument forms) or an executable asset the template declares. Shells, interpreters and exec wrappers (sh, bash, env, python*, perl, find, xargs, sudo…) are never commands.",
  },
  PLB826: {
    title: "command arguments not allowed",
    help: "Each allowlisted executable accepts fixed argument forms; a typed slot (name, time zone, local URL…) takes a value matching its pattern, never one starting with `-`. Arguments of executable assets are literal.",
  },
  PLB827: {
    title: "setuid, setgid or sticky mode",
    help: "BOM files and directories take a three-digit octal mode (e.g. 0644, 0755). setuid, setgid and sticky bits are never set by a contract.",
  },
  PLB828: {
    title: "undeclared executable asset",
    help: "A BOM file with an executable mode, or one run as a command, must be declared `executable: true`. Declaring one marks the template high risk (it runs code the step types do not bound).",
  },
  PLB829: {
    title: "executable asset uses template expressions",
    help: "An executable asset is deployed byte for byte: it may not contain `{{ }}` or `{% %}`, so no input ever becomes shell code the gatekeeper did not see. Pass values through a configuration file in the BOM instead.",
  },
  PLB832: {
    title: "invalid rendered step value",
    help: "After rendering, a step field no longer matches its type (a package or service name, a port). Constrain the input in the template's `inputs` schema.",
  },
  PLB833: {
    title: "unknown catalog action",
    help: "A template's `actions[].action` names no action of the loaded catalog (templates/actions/<action_id>.yml). An action whose file is not in templates.lock, or fails the gatekeeper, does not load (fail closed).",
  },
  PLB834: {
    title: "invalid action params",
    help: "The params a template passes to a catalog action (after rendering its inputs) do not satisfy the action's `params` schema; the message names the param.",
  },
  PLB835: {
    title: "action id mismatch",
    help: "A catalog action's `action_id` must equal its file name (templates/actions/<action_id>.yml).",
  },
} as const satisfies Record<string, CodeInfo>;
