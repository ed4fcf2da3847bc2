// Sticky addressing (docs/generator.md): an existing domain or machine whose address differs
// from addresses.lock.yml is a renumber. A warning here; `plumb generate` and `plumb apply`
// refuse it without --allow-renumber.
import type { Diagnostic } from "../../core/diagnostics.js";
import { renumberText } from "../../core/model/addressing-lock.js";
import type { Rule } from "./context.js";

export const addressesAreSticky: Rule = (ctx) =>
  ctx.addressing.renumbers.map(
    (r): Diagnostic => ({
      code: "PLB630",
      severity: "warning",
      message: `renumber: ${renumberText(r)} (recorded in addresses.lock.yml)`,
      hint:
        r.kind === "domain"
          ? "revert the subnet_id/trust_level change, or record it with `plumb generate --allow-renumber` and apply it with `plumb apply --allow-renumber`"
          : "revert the ip change, or record it with `plumb generate --allow-renumber` and apply it with `plumb apply --allow-renumber`",
      path: r.kind === "domain" ? ["domains", r.name] : ["domains", r.domain, "machines", r.name],
      target: "key",
    }),
  );
