// Plan binding, approvals and host access (PLB910–PLB939).
import type { CodeInfo } from "./code-info.js";

export const BINDING_CODES = {
  PLB910: {
    title: "config key outside Incus's key grammar",
    help: "Incus config keys are dot-separated words of letters, digits, `_` and `-` (`limits.memory`, `user.my-app.role`, `environment.DB_HOST`). Anything else (spaces, newlines, backticks, `<`, `@`, control characters) is refused: such keys would not reach Incus and could forge what reviewers see.",
  },
  PLB911: {
    title: "device name or device key outside Incus's grammar",
    help: "Device names and their keys are letters, digits, `_`, `-` and `.` (`eth0`, `data-disk`). Rename the device.",
  },
  PLB912: {
    title: "saved plan differs from the plan re-derived now",
    help: "apply re-derived the plan from the repository and live Incus, and it is not the saved plan change for change (the file was edited, Incus drifted, or the YAML changed). Nothing was changed: plan again, review, and apply the new plan.",
  },
  PLB913: {
    title: "saved plan belongs to another estate",
    help: "The plan's owner (project_name) is not this repository's. Apply it from the repository it was made in.",
  },
  PLB914: {
    title: "saved plan made by another plumb version",
    help: "A plan binds the plumb version that made it: a different version may plan differently. Plan again with this version.",
  },
  PLB915: {
    title: "saved plan made with uncommitted changes",
    help: "The plan was made while infra/ or templates/ had uncommitted edits, so no commit describes it. Commit, plan again, or pass --allow-dirty if you accept that.",
  },
  PLB916: {
    title: "working tree has uncommitted changes",
    help: "apply of a saved plan needs infra/ and templates/ as committed: commit or stash the edits (or --allow-dirty).",
  },
  PLB917: {
    title: "checked-out commit does not match the plan",
    help: "HEAD must be the plan's commit, or a descendant of it that leaves infra/ and templates/ unchanged. Check out the reviewed commit or plan again.",
  },
  PLB918: {
    title: "git is not usable here",
    help: "The command needs a git repository (and the git program) to record or check the commit. Run it inside the repository, or use --allow-dirty where offered.",
  },
  PLB919: {
    title: "unknown git revision",
    help: "The ref given to --changed-since does not name a commit in this repository (fetch it first in a shallow CI checkout).",
  },
  PLB920: {
    title: "plan lacks approvals",
    help: "policies.yml requires approvals for the risks in this plan. Approvers sign the plan digest with `plumb approve plan.json --key <file>` (keys holding the approver role); then apply the approved plan file.",
  },
  PLB921: {
    title: "host access forbidden at this trust level",
    help: "policies.yml forbids changes that let an instance reach the host (raw.* keys, privileged containers, host-path disks, passthrough devices, physical/macvlan NICs) in domains of this trust level. Remove the setting or change the policy.",
  },
  PLB922: {
    title: "invalid approvals policy",
    help: "`approvals:` in policies.yml: `required:` maps delete, replace, restart, delete_protected, high_risk_contract, host_access (and any) to a number of distinct approvers; `forbid_host_access:` lists trust levels; `github_reviewers:` lists GitHub logins.",
  },
  PLB923: {
    title: "key cannot approve",
    help: "The signing key is not an approver-role key of the keyring (or is revoked or outside its validity window). Ask a keyring admin to add it with the approver role.",
  },
  PLB924: {
    title: "approval does not count",
    help: "An approval in the plan file is not a valid SSHSIG signature over this plan's digest by a current approver key. It is ignored; ask for a new approval.",
  },
} as const satisfies Record<string, CodeInfo>;
