// A Mermaid flowchart of what a plan changes: domain (Incus project) → bridge → instances, each
// node coloured by its action. Unchanged parents are drawn grey for context. Node ids are derived
// from names and labels are escaped, so no name can break out of the diagram.
import type { Change } from "../../reconcilers/model.js";

const CLASS_STYLE: Record<string, string> = {
  create: "fill:#dafbe1,stroke:#1a7f37,color:#1a7f37",
  update: "fill:#fff8c5,stroke:#9a6700,color:#9a6700",
  replace: "fill:#ffebe9,stroke:#cf222e,color:#cf222e,stroke-dasharray:4",
  delete: "fill:#ffebe9,stroke:#cf222e,color:#cf222e",
  state: "fill:#ddf4ff,stroke:#0969da,color:#0969da",
  unchanged: "fill:#f6f8fa,stroke:#8c959f,color:#57606a",
};

/** The most instance nodes drawn; GitHub refuses very large diagrams. */
export const MAX_INSTANCES = 120;

function cls(action: Change["action"] | undefined): string {
  switch (action) {
    case "create":
      return "create";
    case "update":
    case "update-restart":
      return "update";
    case "replace":
      return "replace";
    case "delete":
      return "delete";
    case "start":
    case "stop":
      return "state";
    default:
      return "unchanged";
  }
}

const nodeId = (kind: string, name: string) =>
  `${kind}_${name.replace(/[^A-Za-z0-9]/g, (c) => `_${c.charCodeAt(0).toString(16)}`)}`;
const label = (text: string) => text.replace(/["<>&#`\\|{}[\]()]/g, (c) => `#${c.charCodeAt(0)};`);

/** The bridge each project's instances use, from the `default` profiles the plan knows. */
export function bridgesOf(changes: readonly Change[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of changes) {
    if (c.ref.kind !== "profile" || c.ref.name !== "default" || !("desired" in c)) continue;
    const devices = (c.desired as { devices?: Record<string, Record<string, string>> }).devices;
    for (const d of Object.values(devices ?? {}))
      if (d.type === "nic" && d.network) out.set(c.ref.project, d.network);
  }
  return out;
}

export function planMermaid(
  changes: readonly Change[],
  extraBridges?: Map<string, string>,
): string {
  const actionable = changes.filter((c) => c.action !== "orphan" && c.action !== "conflict");
  if (actionable.length === 0) return "";
  const bridges = new Map([...(extraBridges ?? []), ...bridgesOf(changes)]);
  const action = new Map<string, Change["action"]>();
  for (const c of actionable) {
    const key = `${c.ref.kind === "instance-state" ? "instance" : c.ref.kind}:${c.ref.project}/${c.ref.name}`;
    // an instance's create/update wins over its start/stop
    if (!action.has(key) || c.ref.kind !== "instance-state") action.set(key, c.action);
  }
  const domains = new Set<string>();
  const instances: { project: string; name: string }[] = [];
  for (const c of actionable) {
    if (c.ref.kind === "project") domains.add(c.ref.name);
    else if (c.ref.kind === "network") {
      const owner = [...bridges].find(([, b]) => b === c.ref.name)?.[0];
      if (owner) domains.add(owner);
    } else domains.add(c.ref.project);
    if (
      (c.ref.kind === "instance" || c.ref.kind === "instance-state") &&
      !instances.some((i) => i.project === c.ref.project && i.name === c.ref.name)
    )
      instances.push({ project: c.ref.project, name: c.ref.name });
  }
  const lines = ["flowchart LR"];
  const used = new Set<string>();
  const node = (id: string, text: string, c: string) => {
    if (used.has(id)) return id;
    used.add(id);
    lines.push(`  ${id}["${label(text)}"]:::${c}`);
    return id;
  };
  const netNodes = new Map<string, string>();
  for (const d of [...domains].sort()) {
    const dn = node(nodeId("d", d), `domain ${d}`, cls(action.get(`project:${d}/${d}`)));
    const b = bridges.get(d);
    if (b) {
      const bn = node(nodeId("n", b), `bridge ${b}`, cls(action.get(`network:default/${b}`)));
      lines.push(`  ${dn} --> ${bn}`);
      netNodes.set(d, bn);
    } else netNodes.set(d, dn);
  }
  for (const c of actionable)
    if (c.ref.kind === "network" && !used.has(nodeId("n", c.ref.name)))
      node(nodeId("n", c.ref.name), `bridge ${c.ref.name}`, cls(c.action));
  const shown = instances.slice(0, MAX_INSTANCES);
  for (const i of shown) {
    const a = action.get(`instance:${i.project}/${i.name}`);
    const verb = a === "update-restart" ? " (restart)" : a === "replace" ? " (replace)" : "";
    const n = node(nodeId("i", `${i.project}/${i.name}`), `${i.name}${verb}`, cls(a));
    lines.push(`  ${netNodes.get(i.project) ?? nodeId("d", i.project)} --> ${n}`);
  }
  if (instances.length > shown.length)
    lines.push(`  more["… ${instances.length - shown.length} more instances"]:::unchanged`);
  for (const [c, style] of Object.entries(CLASS_STYLE)) lines.push(`  classDef ${c} ${style}`);
  return lines.join("\n");
}
