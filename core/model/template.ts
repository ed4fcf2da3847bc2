// A contract template (templates/<slug>/template.yml) as the template schema accepts it.
// Gates, operations and proofs are a bounded set of typed steps, not free shell: the compiler
// (generators/contract/compile-bash.ts with step-emitters.ts) owns every line of Bash that runs
// them, and a command is an executable from plumb's allowlist with an argument schema
// (generators/contract/command-allowlist.ts) or an executable asset the template declares.

export type Gate =
  | { os_family: string[] }
  | { port_free: number }
  | { command_exists: string }
  | { file_absent: string }
  | { file_exists: string }
  | { root: true };

/** An allowlisted executable (bare name) or a declared executable asset (its BOM path). */
export interface CommandStep {
  exec: string;
  /** Each may use {{ inputs }}; the rendered list must match one of the executable's forms. */
  args?: string[];
}

export type Operation =
  | { apt_install: string[] }
  | { service: { name: string; action: "enable" | "start" | "restart" | "reload" | "stop" } }
  | { symlink: { target: string; link: string } }
  | { directory: { path: string; mode?: string; owner?: string; group?: string } }
  | { command: CommandStep };

export type Proof =
  | { file_contains: { path: string; text: string } }
  | { command: CommandStep & { stdout_contains?: string } }
  | { service_active: string }
  | { package_installed: string }
  | { tcp_listening: number };

export interface BomEntry {
  /** Absolute destination path; may use {{ inputs }} below its literal folder (the BOM root). */
  path: string;
  /** File under the template's files/ folder (rendered in the restricted template language). */
  source: string;
  /** Octal string, e.g. "0644"; never setuid, setgid or sticky. */
  mode?: string;
  owner?: string;
  group?: string;
  /**
   * Declares an executable asset (mode defaults to 0755): deployed byte for byte (no template
   * expressions) and marks the template high risk.
   */
  executable?: boolean;
}

export interface TemplateManifest {
  slug: string;
  version: string;
  description: string;
  /** JSON Schema (object) of the inputs. */
  inputs: Record<string, unknown>;
  /** Inputs used by the gatekeeper to render and lint the template. */
  sample_inputs: Record<string, unknown>;
  gates?: Gate[];
  bom?: BomEntry[];
  operations?: Operation[];
  /** Catalog actions, run after the operations (templates compose the catalog). */
  actions?: { action: string; params?: Record<string, unknown> }[];
  proofs?: Proof[];
}

/** low: bounded steps only; medium/high: from its catalog actions; high: executable assets. */
export type TemplateRisk = "low" | "medium" | "high";

export function templateRisk(m: TemplateManifest): TemplateRisk {
  return (m.bom ?? []).some((b) => b.executable === true) ? "high" : "low";
}

export const GATE_KINDS = [
  "os_family",
  "port_free",
  "command_exists",
  "file_absent",
  "file_exists",
  "root",
] as const;
export const OPERATION_KINDS = [
  "apt_install",
  "service",
  "symlink",
  "directory",
  "command",
] as const;
export const PROOF_KINDS = [
  "file_contains",
  "command",
  "service_active",
  "package_installed",
  "tcp_listening",
] as const;

/** The single key of a one-key step object (`{ port_free: 80 }` → "port_free"). */
export function stepKind<T extends object>(step: T): keyof T & string {
  return Object.keys(step)[0] as keyof T & string;
}
