// `plumb target bootstrap <machine> [--dry-run]`: installs or updates what a contract target needs
// (trust files, plumb-verify, state, run, contracts and log directories) over the machine's own
// channel — the Incus API for an instance, OpenSSH for a `type: server` — with the same code apply
// runs before delivering (reconcilers/delivery/bootstrap.ts; docs/servers.md).
import { PlumbError, UsageError } from "../../core/errors.js";
import { targetTrustFiles } from "../../core/trust/target-files.js";
import { bootstrapTarget } from "../../reconcilers/delivery/bootstrap.js";
import { IncusTransport } from "../../reconcilers/delivery/incus-transport.js";
import { toEndpoint } from "../../reconcilers/delivery/ssh/endpoint.js";
import { SshTransport, sshOptionsFor } from "../../reconcilers/delivery/ssh/transport.js";
import type { TargetTransport } from "../../reconcilers/delivery/transport.js";
import { loadEstate, openIncusApi, openKeyring } from "../session.js";
import type { CommandModule } from "../spec.js";

export const run: CommandModule["run"] = async (ctx, values, positionals) => {
  const [action, name] = positionals;
  if (action !== "bootstrap" || name === undefined)
    throw new UsageError("usage: plumb target bootstrap <machine>", "see `plumb target --help`");
  const out = ctx.output;
  const s = out.style;
  const root = ctx.repoRoot();
  const { estate } = loadEstate(ctx, values);
  const machine = estate.machines.find((m) => m.name === name);
  if (machine === undefined)
    throw new PlumbError("PLB796", `no machine named '${name}' in infra`, {
      hint: `machines: ${
        estate.machines
          .map((m) => m.name)
          .slice(0, 12)
          .join(", ") || "(none)"
      }`,
    });
  const { chain } = openKeyring(ctx, values);
  const files = targetTrustFiles(chain.keyring, chain.sha256);
  const dryRun = values["dry-run"] === true;
  const server = machine.server; // set exactly for `type: server` machines

  let t: TargetTransport;
  let release = () => {};
  if (server !== undefined) {
    t = await SshTransport.open(toEndpoint(machine.name, server), sshOptionsFor(root, ctx.env));
  } else {
    const domain = estate.domains.find((d) => d.name === machine.domain);
    if (domain === undefined)
      throw new PlumbError("PLB796", `machine ${name} has no domain in the estate`);
    const api = openIncusApi(ctx, values, root);
    release = () => api.transport.close();
    t = new IncusTransport({ api, project: domain.project, instance: machine.name });
  }
  try {
    if (!out.json)
      out.err(
        s.dim(
          `  ${dryRun ? "checking" : "bootstrapping"} ${name} (${t.kind === "server" ? "ssh" : "incus"}) with keyring v${chain.keyring.version}`,
        ),
      );
    const r = await bootstrapTarget(t, files, { dryRun });
    if (out.json) {
      out.writeJson({
        version: 1,
        ok: true,
        machine: r.machine,
        kind: t.kind,
        outcome: r.outcome,
        dry_run: r.dryRun,
        keyring_version: r.keyringVersion,
        previous_keyring_version: r.previousKeyringVersion,
        steps: r.steps,
      });
      return 0;
    }
    for (const step of r.steps) out.out(`  ${dryRun ? "would " : ""}${step.action} ${step.path}`);
    const what =
      r.outcome === "current"
        ? "already current"
        : `${dryRun ? "would be " : ""}${r.outcome}${r.previousKeyringVersion !== null && r.previousKeyringVersion !== r.keyringVersion ? ` (keyring v${r.previousKeyringVersion} → v${r.keyringVersion})` : ""}`;
    out.err(`${s.green("✔")} ${name}: ${what}`);
    return 0;
  } finally {
    await t.close();
    release();
  }
};
