// A contract template (templates/<slug>/template.yml) as the template schema accepts it.
// Gates, operations and proofs are a bounded set of typed steps, not free shell: the compiler
// (generators/contract/compile-bash.ts) owns every line of Bash that runs them.

export type Gate =
  | { os_family: string[] }
  | { port_free: number }
  | { command_exists: string }
  | { file_absent: string }
  | { file_exists: string }
  | { root: true };

export type Operation =
  | { apt_install: string[] }
  | { service: { name: string; action: "enable" | "start" | "restart" | "reload" | "stop" } }
  | { symlink: { target: string; link: string } }
  | { mkdir: { path: string; mode?: string } }
  | { run: { argv: string[] } };

export type Proof =
  | { file_contains: { path: string; text: string } }
  | { command: { argv: string[]; stdout_contains?: string } }
  | { service_active: string }
  | { tcp_listening: number };

export interface BomEntry {
  /** Absolute destination path; may use {{ inputs }}. */
  path: string;
  /** File under the template's files/ folder (a nunjucks template). */
  source: string;
  /** Octal string, e.g. "0644". */
  mode?: string;
  owner?: string;
  group?: string;
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
  proofs?: Proof[];
}

export const GATE_KINDS = [
  "os_family",
  "port_free",
  "command_exists",
  "file_absent",
  "file_exists",
  "root",
] as const;
export const OPERATION_KINDS = ["apt_install", "service", "symlink", "mkdir", "run"] as const;
export const PROOF_KINDS = ["file_contains", "command", "service_active", "tcp_listening"] as const;

/** The single key of a one-key step object (`{ port_free: 80 }` → "port_free"). */
export function stepKind<T extends object>(step: T): keyof T & string {
  return Object.keys(step)[0] as keyof T & string;
}
