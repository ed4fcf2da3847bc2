// The Bash line for each bounded step type (gates, BOM, operations, proofs). Every value goes
// through shq()/shqArgv(); commands are allowlisted executables run with `command --` (never a
// shell function or alias) or declared executable assets run through asset_exec.
import type { Gate, Operation, Proof } from "../../core/model/template.js";
import { shq, shqArgv } from "../../core/shell/quote.js";
import type { HfcBom } from "./hfc.js";

export type StepLine = [command: string, description: string];

export function gateLine(g: Gate): StepLine {
  if ("os_family" in g)
    return [`gate_os_family ${shqArgv(g.os_family)}`, `OS is one of ${g.os_family.join(", ")}`];
  if ("port_free" in g)
    return [`! port_listening ${g.port_free}`, `TCP port ${g.port_free} is free`];
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

function commandLine(
  c: { exec: string; args?: string[] },
  bom: readonly HfcBom[],
): [string, string] {
  const args = c.args ?? [];
  const asset = bom.find((b) => b.path === c.exec);
  const text = [c.exec, ...args].join(" ");
  if (asset) return [`asset_exec ${shqArgv([asset.path, asset.sha256, ...args])}`, text];
  return [`command -- ${shqArgv([c.exec, ...args])}`, text];
}

export function operationLine(o: Operation, bom: readonly HfcBom[]): StepLine {
  if ("apt_install" in o)
    return [`apt_install ${shqArgv(o.apt_install)}`, `install ${o.apt_install.join(" ")}`];
  if ("service" in o)
    return [
      `service_do ${shq(o.service.name)} ${shq(o.service.action)}`,
      `${o.service.action} service ${o.service.name}`,
    ];
  if ("symlink" in o)
    return [
      `link_ensure ${shqArgv([o.symlink.target, o.symlink.link])}`,
      `link ${o.symlink.link} -> ${o.symlink.target}`,
    ];
  if ("directory" in o) {
    const d = o.directory;
    const mode = (d.mode ?? "0755").padStart(4, "0");
    return [
      `dir_ensure ${shqArgv([d.path, mode, d.owner ?? "root", d.group ?? "root"])}`,
      `directory ${d.path} (${mode})`,
    ];
  }
  const [line, text] = commandLine(o.command, bom);
  return [line, `run ${text}`];
}

export function proofLine(p: Proof, bom: readonly HfcBom[]): StepLine {
  if ("file_contains" in p)
    return [
      `grep -qF -- ${shq(p.file_contains.text)} "$dest"${shq(p.file_contains.path)}`,
      `${p.file_contains.path} contains the expected text`,
    ];
  if ("command" in p) {
    const c = p.command;
    const [line, text] = commandLine(c, bom);
    return c.stdout_contains === undefined
      ? [`${line} >/dev/null`, `${text} succeeds`]
      : [`stdout_contains ${shq(c.stdout_contains)} ${line}`, `${text} prints the expected text`];
  }
  if ("service_active" in p)
    return [`service_active ${shq(p.service_active)}`, `service ${p.service_active} is active`];
  if ("package_installed" in p)
    return [
      `dpkg-query -W -f='\${Status}' -- ${shq(p.package_installed)} 2>/dev/null | grep -q 'install ok installed'`,
      `package ${p.package_installed} is installed`,
    ];
  return [`port_listening ${p.tcp_listening}`, `TCP port ${p.tcp_listening} is listening`];
}

export function bomLine(b: HfcBom, content: string): StepLine {
  return [
    `bom_put ${shqArgv([b.path, b.mode, b.owner, b.group, b.sha256])} ${shq(content)}`,
    `write ${b.path}`,
  ];
}

export function bomProofLine(b: HfcBom): StepLine {
  return [
    `bom_check ${shqArgv([b.path, b.sha256])}`,
    `${b.path} has sha256 ${b.sha256.slice(0, 12)}…`,
  ];
}
