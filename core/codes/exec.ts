// Running other programs (git, shellcheck, ssh-keygen, ssh, incus, ip) and the runtime itself: PLB09x.
import type { CodeInfo } from "./code-info.js";

export const EXEC_CODES = {
  PLB090: {
    title: "program not installed",
    help: "plumb runs a system program that is not on PATH. Install it (scripts/install-deps.sh installs what the tests use) and retry.",
  },
  PLB091: {
    title: "program failed",
    help: "A program plumb ran exited with an error; the message ends with the last lines it printed on stderr.",
  },
  PLB092: {
    title: "program timed out",
    help: "A program plumb ran did not finish in time and was stopped. Check that the machine or the remote end answers, then retry.",
  },
  PLB093: {
    title: "Node.js too old",
    help: "plumb needs Node.js 22.12 or newer (it is tested on the release named in `.node-version`). `. scripts/dev-env.sh` puts that release first on PATH.",
  },
} as const satisfies Record<string, CodeInfo>;
