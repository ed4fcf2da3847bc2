// The stable message codes, one table per area under core/codes/. Tests assert codes, never
// message text; docs/error-codes.md is generated from this table (`npm run gen`) and a test
// keeps the two in step. A code never changes meaning once released.
import { BINDING_CODES } from "./codes/binding.js";
import type { CodeInfo } from "./codes/code-info.js";
import { CONSENT_CODES } from "./codes/consent.js";
import { CONTRACT_CODES } from "./codes/contracts.js";
import { DELIVERY_CODES } from "./codes/delivery.js";
import { EXEC_CODES } from "./codes/exec.js";
import { GENERATOR_CODES } from "./codes/generator.js";
import { GITOPS_CODES } from "./codes/gitops.js";
import { INCUS_CODES } from "./codes/incus.js";
import { INFRA_CODES } from "./codes/infra.js";
import { KIND_CODES } from "./codes/kinds.js";
import { OPS_CODES } from "./codes/ops.js";
import { SSH_CODES } from "./codes/ssh.js";
import { TARGET_CODES } from "./codes/targets.js";
import { TEMPLATE_CODES } from "./codes/templates.js";
import { TRUST_CODES } from "./codes/trust.js";

export const CODES = {
  ...INFRA_CODES,
  ...EXEC_CODES,
  ...GENERATOR_CODES,
  ...INCUS_CODES,
  ...KIND_CODES,
  ...CONTRACT_CODES,
  ...DELIVERY_CODES,
  ...BINDING_CODES,
  ...OPS_CODES,
  ...GITOPS_CODES,
  ...TRUST_CODES,
  ...TEMPLATE_CODES,
  ...SSH_CODES,
  ...TARGET_CODES,
  ...CONSENT_CODES,
  // PLB9xx — internal
  PLB900: {
    title: "usage error",
    help: "The command line is not valid; see `plumb <command> --help`.",
  },
  PLB999: {
    title: "internal error",
    help: "A bug in plumbline. Re-run with `--debug` for the stack trace and report it.",
  },
} as const satisfies Record<string, CodeInfo>;

export type Code = keyof typeof CODES;
