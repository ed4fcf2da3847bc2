// Building blocks of the infra schema (validators/infra-schema.ts): name and host patterns,
// typed leaves with their descriptions, the anklume-only keys.

export const NAME = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$";
/** An IPv4/IPv6 address or a DNS name: no spaces, no leading `-` (never an ssh option). */
export const HOST_RE = "^(?!-)[A-Za-z0-9.:_-]{1,253}$";
export const JUMP_RE = "^(?!-)([a-z_][a-z0-9_-]*@)?[A-Za-z0-9.:_\\[\\]-]{1,253}$";

/** Keys anklume's examples use for its other scripts (`file_portal`, `export_apps` in its
 * ai-tools example): accepted, never acted on, reported with a note (PLB108). */
export const ANKLUME_ONLY_KEYS = {
  domain: ["file_portal"],
  machine: ["export_apps"],
} as const;

export const anklumeOnly = (what: string) => ({
  description: `anklume only (${what}); accepted for compatibility, plumb ignores it.`,
});

export const str = (description: string) => ({ type: "string", description }) as const;
export const bool = (description: string) => ({ type: "boolean", description }) as const;
export const absPath = (description: string) =>
  ({ type: "string", pattern: "^/", description: `${description} Absolute path.` }) as const;
/** A host directory that names are joined under: absolute, without `.`/`..` segments. */
export const baseDir = (description: string) =>
  ({
    type: "string",
    pattern: "^(?!.*/\\.\\.?(/|$))(?!.*//)/",
    description: `${description} Absolute path without \`.\`/\`..\` segments.`,
  }) as const;
/** Optional machine keys anklume also accepts as null, meaning "empty". */
export const orNull = <T extends object>(schema: T) =>
  ({ anyOf: [{ type: "null" }, schema] }) as const;
