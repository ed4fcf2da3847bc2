// Compiles an HFC document into the Bash script a target runs. Layout:
//   main() { strict mode; helpers; gates (nothing changed yet); BOM; operations; proofs; }
//   main "$@"; exit
// Bash parses the whole main() before executing, so a file modified while running cannot
// change what runs. Every value from the template or its inputs goes through shq().

import type { Gate, Operation, Proof } from "../../core/model/template.js";
import { shq, shqArgv } from "../../core/shell/quote.js";
import { RUNTIME } from "./bash-runtime.js";
import type { Hfc } from "./hfc.js";

function gateLine(g: Gate): [string, string] {
  if ("os_family" in g)
    return [`gate_os_family ${shqArgv(g.os_family)}`, `OS is one of ${g.os_family.join(", ")}`];
  if ("port_free" in g)
    return [`! port_listening ${shq(String(g.port_free))}`, `TCP port ${g.port_free} is free`];
  if ("command_exists" in g)
    return [
      `command -v -- ${shq(g.command_exists)} >/dev/null 2>&1`,
      `command ${g.command_exists} exists`,
    ];
  if ("file_absent" in g)
    return [`[ ! -e "$dest"${shq(g.file_absent)} ]`, `${g.file_absent} does not exist`];
  if ("file_exists" in g) return [`[ -e "$dest"${shq(g.file_exists)} ]`, `${g.file_exists} exists`];
  return [`[ "$(id -u)" -eq 0 ]`, "running as root"];
}

function operationLine(o: Operation): [string, string] {
  if ("apt_install" in o)
    return [`apt_install ${shqArgv(o.apt_install)}`, `install ${o.apt_install.join(" ")}`];
  if ("service" in o)
    return [
      `service_do ${shq(o.service.name)} ${shq(o.service.action)}`,
      `${o.service.action} service ${o.service.name}`,
    ];
  if ("symlink" in o)
    return [
      `ln -sfn -- ${shq(o.symlink.target)} "$dest"${shq(o.symlink.link)}`,
      `link ${o.symlink.link} -> ${o.symlink.target}`,
    ];
  if ("mkdir" in o) {
    const mode = o.mkdir.mode ? `-m ${shq(o.mkdir.mode)} ` : "";
    return [`mkdir -p ${mode}-- "$dest"${shq(o.mkdir.path)}`, `directory ${o.mkdir.path}`];
  }
  return [shqArgv(o.run.argv), `run ${o.run.argv.join(" ")}`];
}

function proofLine(p: Proof): [string, string] {
  if ("file_contains" in p)
    return [
      `grep -qF -- ${shq(p.file_contains.text)} "$dest"${shq(p.file_contains.path)}`,
      `${p.file_contains.path} contains the expected text`,
    ];
  if ("command" in p) {
    const c = p.command;
    return c.stdout_contains === undefined
      ? [`${shqArgv(c.argv)} >/dev/null`, `${c.argv.join(" ")} succeeds`]
      : [
          `stdout_contains ${shq(c.stdout_contains)} ${shqArgv(c.argv)}`,
          `${c.argv.join(" ")} prints the expected text`,
        ];
  }
  if ("service_active" in p)
    return [`service_active ${shq(p.service_active)}`, `service ${p.service_active} is active`];
  return [
    `port_listening ${shq(String(p.tcp_listening))}`,
    `TCP port ${p.tcp_listening} is listening`,
  ];
}

/** One checked step: sets the step counter, logs what it does, fails with its description. */
function step(n: number, command: string, what: string): string {
  return `  step=${n}\n  log ${shq(`[${n}] ${what}`)}\n  ${command} || fail ${shq(what)}\n`;
}

export function compileBash(hfc: Hfc, contents: ReadonlyMap<string, string>): string {
  const h = hfc.header;
  const out: string[] = [];
  out.push(
    "#!/usr/bin/env bash",
    // No value appears outside single quotes, comments included: a newline in a target or
    // template name would otherwise end the comment and start a command.
    "# plumb contract, compiled by plumb: identity, template, target and commit are the quoted",
    "# values at the top of main().",
    "# A signed manifest binds the sha256 of these exact bytes: any edit invalidates the signatures.",
    "# Values are single-quoted data (SC2016/SC2089/SC2090 would flag literal $ or quotes in them).",
    "# shellcheck disable=SC2016,SC2089,SC2090",
    "main() {",
    "  set -euo pipefail",
    "  umask 022",
    "  export LC_ALL=C",
    `  readonly contract_id=${shq(h.id)}`,
    `  readonly contract_template=${shq(h.template)} contract_template_hash=${shq(h.template_hash)}`,
    `  readonly contract_target=${shq(h.target)} contract_commit=${shq(h.git_commit ?? "none")}`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Bash parameter expansion, not JS
    '  readonly dest="${PLUMB_DESTDIR:-}"',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Bash parameter expansion, not JS
    '  readonly log_dir="${PLUMB_LOG_DIR:-$dest/var/log/plumb}"',
    "  phase=init step=0 reported=0 # global: the EXIT trap reads them after main returns",
    RUNTIME,
    '  mkdir -p -- "$log_dir"',
    '  exec > >(tee -a -- "$log_dir/$contract_id.log") 2>&1',
    "  trap 'on_exit $?' EXIT",
    '  log "contract $contract_id ($contract_template, template $contract_template_hash, commit $contract_commit) for $contract_target: start"',
    "",
  );
  let n = 0;
  out.push("  # Gates: checked before anything changes.", "  phase=gates");
  for (const g of hfc.gates) out.push(step(++n, ...gateLine(g)));
  out.push("  # Bill of materials: atomic, checksum-verified writes.", "  phase=bom");
  for (const b of hfc.bom) {
    const content = contents.get(b.path) ?? "";
    out.push(
      step(
        ++n,
        `bom_write ${shqArgv([b.path, b.mode, b.owner, b.group, b.sha256])} ${shq(content)}`,
        `write ${b.path}`,
      ),
    );
  }
  out.push("  # Operations, in order.", "  phase=operations");
  for (const o of hfc.operations) out.push(step(++n, ...operationLine(o)));
  out.push(
    "  # Proofs: every BOM checksum again, then the template's own checks.",
    "  phase=proofs",
  );
  for (const b of hfc.bom)
    out.push(
      step(
        ++n,
        `bom_verify ${shqArgv([b.path, b.sha256])}`,
        `${b.path} has sha256 ${b.sha256.slice(0, 12)}…`,
      ),
    );
  for (const p of hfc.proofs) out.push(step(++n, ...proofLine(p)));
  out.push(
    "  phase=finished",
    '  log "contract $contract_id: success"',
    "  result success",
    "}",
    'main "$@"',
    "exit",
    "",
  );
  return out.join("\n");
}
