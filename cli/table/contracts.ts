// Command entries for contracts: templates, contract, keys.
import type { CommandSpec } from "../spec.js";
import { formatOption } from "./options.js";

export const CONTRACT_COMMANDS: readonly CommandSpec[] = [
  {
    name: "templates",
    summary:
      "Check contract templates and the action catalog (manifest, assets, hash, language, logic) or update templates.lock",
    description:
      "The gatekeeper for templates/<slug>/ folders and templates/actions/*.yml: the manifest matches its schema; every\n" +
      "file is inside the folder, no symlinks, sizes bounded; the hash matches templates.lock (checked before anything\n" +
      "renders); every template text passes the restricted language (no calls, no prototype names); bounded steps only\n" +
      "(command allowlist, paths, modes, declared executable assets); rendered with its sample inputs, the compiled\n" +
      "script passes bash -n and shellcheck. `lock` records the hashes after every other stage passes (and removes\n" +
      "the lock's old signatures: they sign other bytes). `sign` adds this contract key's SSHSIG signature over the\n" +
      "exact lock bytes as templates.lock.sig.d/<fingerprint>.sig; forging and delivery load the catalog only when\n" +
      "the lock is signed by the keyring's contract threshold (distinct keys), `check` and validate warn otherwise.",
    usage:
      "plumb templates check [slug…] [--format human|json|github] | plumb templates lock | plumb templates sign --key <file> | --agent",
    positionals: { min: 1, max: 64 },
    options: {
      format: formatOption,
      key: {
        type: "string",
        valueName: "file",
        description: "sign: OpenSSH Ed25519 private key file of a contract key",
      },
      agent: { type: "boolean", description: "sign: sign through ssh-agent ($SSH_AUTH_SOCK)" },
      fingerprint: {
        type: "string",
        valueName: "SHA256:…",
        description: "sign --agent: which agent key",
      },
      now: {
        type: "string",
        valueName: "iso",
        description: "sign/check: evaluate key validity at this time instead of the clock",
      },
    },
    examples: [
      ["plumb templates check", "Run every stage on every template and catalog action"],
      ["plumb templates check motd", "Only report on one template"],
      [
        "plumb templates lock && git add templates.lock",
        "After reviewing a template change, record its hash",
      ],
      [
        "plumb templates sign --key ~/.config/plumb/keys/id_ed25519",
        "Sign the reviewed lock with a contract key (each co-signer runs it; commit templates.lock.sig.d/)",
      ],
      ["plumb templates sign --agent", "The same with the key held in ssh-agent"],
    ],
    load: () => import("../commands/templates.js"),
  },
  {
    name: "contract",
    summary:
      "Forge, sign and verify contracts (template + inputs → HFC + Bash, signed with SSHSIG)",
    description:
      "forge   validates --input values against the template's schema and writes .plumb/contracts/<id>/contract.sh and\n" +
      "        hfc.json. Deterministic: created_at comes from SOURCE_DATE_EPOCH or the commit.\n" +
      "sign    creates manifest.json (sha256 of the script, target, seq, validity window, keyring version; canonical\n" +
      "        JSON) if absent and adds this key's SSHSIG signature under signatures/. Co-signers run it again.\n" +
      "verify  the full policy: signatures by distinct trusted contract keys up to the threshold, not revoked, in their\n" +
      "        validity window; then target, time window, keyring version, replay mark, script and HFC digests.\n" +
      "test    runs the signed bundle in an ephemeral Incus container through the target-side verifier (stock\n" +
      "        ssh-keygen inside), as a real target named --target would, then deletes the container (--keep keeps\n" +
      "        it; --sandbox <name> runs again there, where the replay state persists).\n" +
      "Targets verify with stock ssh-keygen: see `plumb keys export-target`.",
    usage:
      "plumb contract forge <slug> --target <machine> [--input k=v …] | sign <bundle> --key <file> | verify <bundle> | test <bundle> --target <name>",
    positionals: { min: 1, max: 2 },
    options: {
      input: {
        type: "string",
        multiple: true,
        valueName: "key=value",
        description: "forge: a template input (repeatable); key=@file reads the value from a file",
      },
      target: {
        type: "string",
        valueName: "machine",
        description:
          "forge: the machine the contract is for; verify: require this target; test: the sandbox's name (required)",
      },
      "external-target": {
        type: "boolean",
        description: "forge: allow a target that is not a machine of infra/ (a plain server)",
      },
      out: {
        type: "string",
        valueName: "dir",
        description: "forge: output directory (default .plumb/contracts/<id>)",
      },
      print: { type: "boolean", description: "forge: also print the compiled script on stdout" },
      "created-at": {
        type: "string",
        valueName: "iso",
        description:
          "forge: creation time to record (default: SOURCE_DATE_EPOCH, else the HEAD commit time)",
      },
      key: {
        type: "string",
        valueName: "file",
        description: "sign: OpenSSH Ed25519 private key file",
      },
      agent: { type: "boolean", description: "sign: sign through ssh-agent ($SSH_AUTH_SOCK)" },
      fingerprint: {
        type: "string",
        valueName: "SHA256:…",
        description: "sign --agent: which agent key",
      },
      seq: {
        type: "string",
        valueName: "n",
        description: "sign: sequence number (default: now in milliseconds)",
      },
      "expires-in": {
        type: "string",
        valueName: "dur",
        description:
          "sign: manifest lifetime (7d, 12h, 90m; default 7d, at most 90d); a co-signer leaves it out",
      },
      "not-before": {
        type: "string",
        valueName: "iso",
        description: "sign: start of validity (default now)",
      },
      state: {
        type: "string",
        valueName: "file",
        description: "verify: replay state file ('<keyring version> <seq>')",
      },
      now: {
        type: "string",
        valueName: "iso",
        description: "verify/sign: evaluate at this time instead of the clock",
      },
      image: {
        type: "string",
        valueName: "alias",
        default: "plumb-debian",
        description: "test: Incus image of the sandbox container",
      },
      project: {
        type: "string",
        valueName: "name",
        default: "default",
        description: "test: Incus project of the sandbox container",
      },
      keep: { type: "boolean", description: "test: keep the sandbox container for inspection" },
      sandbox: {
        type: "string",
        valueName: "name",
        description:
          "test: run in this kept sandbox again (its replay state persists: the same contract is refused)",
      },
      "skip-local-verify": {
        type: "boolean",
        description:
          "test: skip plumb's own check first, to see the target-side verifier refuse on its own",
      },
    },
    examples: [
      [
        "plumb contract forge nginx-standalone --input domain=example.com --target web-front-1",
        "Forge the nginx contract for one machine",
      ],
      [
        "plumb contract forge motd --input banner=@banner.txt --input owner=ops --target ops-bastion --print | less",
        "Read the compiled script before signing it",
      ],
      [
        "plumb contract sign .plumb/contracts/c-… --key ~/.config/plumb/keys/id_ed25519",
        "Approve (sign) a forged contract",
      ],
      [
        "plumb contract verify .plumb/contracts/c-… --target web-front-1",
        "Check it as a target would",
      ],
    ],
    load: () => import("../commands/contract.js"),
  },
  {
    name: "contracts",
    summary: "Show the latest run of each contract per machine (the run journal of `plumb apply`)",
    description:
      "status  reads .plumb/journal/<machine>.jsonl: for every machine and contract the latest transition\n" +
      "        (PENDING, CLAIMED, SUCCESS or FAILED), the template, contract id, failure code, exit status, time and run\n" +
      "        id; for a failure the message and the last lines of the contract's log (secret values never appear).\n" +
      "        A run left PENDING or CLAIMED was interrupted; the next `plumb apply` plans it again. Always exits 0.\n" +
      "See docs/delivery.md.",
    usage: "plumb contracts status [--machine <m>] [--json]",
    positionals: { min: 1, max: 1 },
    options: {
      machine: {
        type: "string",
        multiple: true,
        valueName: "m",
        description: "Only these machines (repeatable, or comma-separated)",
      },
    },
    examples: [
      ["plumb contracts status", "Every machine's contracts and how their latest run ended"],
      [
        "plumb contracts status --machine web-front-1",
        "One machine, with the log tail of a failure",
      ],
      [
        "plumb contracts status --json | jq '.runs[] | select(.status == \"FAILED\")'",
        "The failed runs, for a script",
      ],
    ],
    load: () => import("../commands/contracts-status.js"),
  },
  {
    name: "keys",
    summary:
      "Manage signing keys and the repo keyring (keys/keyring.json), export trust files for targets",
    description:
      "The keyring lists trusted Ed25519 keys, their roles (keyring, contract, approver; operator, support, admin: what\n" +
      "catalog actions require of the keys signing a contract at apply), thresholds, expiry and\n" +
      "revocations. It is canonical JSON signed by its own keyring role; a change to a signed version is archived in\n" +
      "keys/history/<N>/ and makes N+1, signed by the keyring keys of N and of N+1. Every command walks this chain from\n" +
      "a pinned root: this machine's record of the highest version it verified, PLUMB_KEYRING_PIN=<version>:<sha256>\n" +
      "(set it in CI from a variable pull requests cannot change) and, for export-target, the target's own policy.",
    usage:
      "plumb keys generate|init|trust|revoke|threshold|expire-in|sign-keyring|list|verify|export-target …",
    positionals: { min: 1, max: 3 },
    options: {
      out: {
        type: "string",
        valueName: "path",
        description:
          "generate: key file (default ~/.config/plumb/keys/id_ed25519); export-target: directory",
      },
      comment: { type: "string", description: "generate: key comment" },
      pub: {
        type: "string",
        valueName: "file",
        description: "init: the first key (public key file)",
      },
      org: {
        type: "string",
        description: "init: organisation name, scopes signature namespaces (default plumbline)",
      },
      days: { type: "string", description: "init: keyring lifetime in days (default 365)" },
      principal: { type: "string", description: "init/trust: who holds the key" },
      role: {
        type: "string",
        multiple: true,
        description:
          "trust: contract (default), keyring, approver, operator, support and/or admin (repeatable)",
      },
      "valid-before": {
        type: "string",
        valueName: "iso",
        description: "trust: the key expires then",
      },
      key: { type: "string", valueName: "file", description: "sign-keyring: private key file" },
      agent: { type: "boolean", description: "sign-keyring: sign through ssh-agent" },
      fingerprint: {
        type: "string",
        valueName: "SHA256:…",
        description: "sign-keyring --agent: which agent key",
      },
      now: {
        type: "string",
        valueName: "iso",
        description: "evaluate at this time instead of the clock",
      },
    },
    examples: [
      ["plumb keys generate", "Create ~/.config/plumb/keys/id_ed25519 and its .pub"],
      [
        "plumb keys init --pub ~/.config/plumb/keys/id_ed25519.pub --org acme && plumb keys sign-keyring --key ~/.config/plumb/keys/id_ed25519",
        "Start a keyring with your key and sign it",
      ],
      [
        "plumb keys trust bob.pub --principal bob --role contract && plumb keys threshold contract 2",
        "Require two approvers for contracts",
      ],
      [
        "plumb keys trust carol.pub --principal carol --role contract --role operator",
        "Carol may sign contracts whose catalog actions require the operator role",
      ],
      [
        "plumb keys verify",
        "Walk the chain from the pinned root; prints the pin to set as PLUMB_KEYRING_PIN in CI",
      ],
      [
        "plumb keys export-target --out /tmp/trust",
        "allowed_signers, revoked_keys, policy and plumb-verify for targets",
      ],
    ],
    load: () => import("../commands/keys.js"),
  },
];
