// Compiles an HFC document into the Bash script a target runs. Layout:
//   main() { strict mode; helpers; gates (nothing changed yet); BOM; operations; proofs; }
//   main "$@"; exit
// Bash parses the whole main() before executing, so a file modified while running cannot
// change what runs. Every value from the template or its inputs goes through shq().

import { shq } from "../../core/shell/quote.js";
import { RUNTIME } from "./bash-runtime.js";
import type { Hfc } from "./hfc.js";
// The per-step-type lines and their Bash helpers live apart (helper "templates"'s files).
import { bomLine, bomProofLine, gateLine, operationLine, proofLine } from "./step-emitters.js";
import { STEP_RUNTIME } from "./step-runtime.js";

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
    STEP_RUNTIME,
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
  for (const b of hfc.bom) out.push(step(++n, ...bomLine(b, contents.get(b.path) ?? "")));
  out.push("  # Operations, in order.", "  phase=operations");
  for (const o of hfc.operations) out.push(step(++n, ...operationLine(o, hfc.bom)));
  out.push(
    "  # Proofs: every BOM checksum again, then the template's own checks.",
    "  phase=proofs",
  );
  for (const b of hfc.bom) out.push(step(++n, ...bomProofLine(b)));
  for (const p of hfc.proofs) out.push(step(++n, ...proofLine(p, hfc.bom)));
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
