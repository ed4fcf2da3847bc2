// Contract delivery: the target transports, runs at apply, the run journal (PLB777–PLB787).
import type { CodeInfo } from "./code-info.js";

export const DELIVERY_CODES = {
  PLB777: {
    title: "target transport failure",
    help: "plumb could not write a file to, or run a command on, a contract target (an Incus instance through the file and exec API, or a server over SSH). The message names the target and the path or command. Check that the instance runs (`incus list`) or the server answers, then run `plumb apply` again: the contract is re-planned and re-sent.",
  },
  PLB778: {
    title: "contract refused by the target",
    help: "The target-side verifier (plumb-verify) refused the bundle; the journal records its own code: PLB877 (not signed by the threshold), PLB879 (signed for another target), PLB880 (expired or not yet valid), PLB882 (the script or HFC differs from the signed manifest), PLB883 (replayed: the sequence is not above the target's high-water mark), PLB884 (the target's trust files or state are missing). Nothing of the contract ran. See `plumb contracts status --machine <m>` and docs/delivery.md.",
  },
  PLB779: {
    title: "contract failed on the target",
    help: "The contract was verified and ran, but a gate, step or proof failed (the last lines of its log are in the journal: `plumb contracts status --machine <m> --json`). The target keeps its previous live hash, so the next `plumb apply` runs the contract again once the cause is fixed.",
  },
  PLB780: {
    title: "contract run timed out",
    help: "The contract did not finish within `--contract-timeout` seconds (default 300) and was killed on the target. Raise the timeout for slow steps (package installs) or find what hangs in the contract's log (/var/log/plumb/<contract id>.log on the target).",
  },
  PLB781: {
    title: "signing keys below the contract threshold",
    help: "`plumb apply` signs every contract it delivers with the keys given by `--sign-key <file>` (repeatable) or `signing: {keys: [...]}` in .plumb/site.yml. They must be distinct contract keys of the repository keyring and at least its contract threshold; otherwise nothing is delivered. Add the missing keys (`plumb keys trust <pub> --role contract` and a new keyring version, or pass more keys).",
  },
  PLB782: {
    title: "contract runs failed",
    help: "At least one contract run at apply ended FAILED (or was not started because `policies.yml` `contracts.on_failure` is `stop`). The Incus changes were applied. `plumb contracts status` shows each run's code and log tail; fix the cause and run `plumb apply` again.",
  },
  PLB783: {
    title: "contract run not started (on_failure: stop)",
    help: "An earlier contract run of this apply failed and `policies.yml` says `contracts: {on_failure: stop}` (the default), so this run was not started. Runs already under way finished. Set `on_failure: continue` to run the others regardless.",
  },
  PLB784: {
    title: "unreadable run journal",
    help: "A line of `.plumb/journal/<machine>.jsonl` is not a journal record. The journal is append-only and written by plumb; a torn last line (a killed run) is skipped, any other bad line is reported with its line number. Restore the file from a backup or move it aside.",
  },
  PLB785: {
    title: "target bootstrap failed",
    help: "Installing the trust files, the verifier (plumb-verify) and the state directories on the target failed, so no contract was sent. The target needs bash, coreutils, flock and ssh-keygen (`plumb target bootstrap <machine>` shows the same error interactively).",
  },
  PLB786: {
    title: "contract could not be forged at apply",
    help: "A declared contract could not be rendered into a bundle at apply (template missing from the checked catalog, inputs invalid, or a secret input without a value). Nothing was sent to that target. Run `plumb validate` and `plumb contract forge <slug> --target <machine>` to see the details.",
  },
  PLB787: {
    title: "invalid contracts policy",
    help: "`policies.yml` `contracts:` must be a mapping with `on_failure: stop` (the default: remaining runs are not started after a failure) or `on_failure: continue`.",
  },
} as const satisfies Record<string, CodeInfo>;
