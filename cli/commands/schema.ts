// `plumb schema`: prints the infra JSON Schema.
import { infraSchema } from "../../validators/infra-schema.js";
import type { CommandModule } from "../spec.js";

export const run: CommandModule["run"] = async (ctx) => {
  ctx.output.out(JSON.stringify(infraSchema, null, 2));
  return 0;
};
