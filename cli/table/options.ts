// Option specs shared by several command entries.
import type { OptionSpec } from "../spec.js";

export const formatOption: OptionSpec = {
  type: "string",
  valueName: "fmt",
  choices: ["human", "json", "github"],
  default: "human",
  description: "Output format; `github` prints workflow annotations",
};

export const infraOption: OptionSpec = {
  type: "string",
  valueName: "path",
  description:
    "The infra input: an infra.yml file or an infra/ directory (default: found under the root)",
};

export const allowUnknownKeysOption: OptionSpec = {
  type: "boolean",
  description:
    "Report unknown keys as warnings instead of errors (the default is strict: a typo is an error)",
};
