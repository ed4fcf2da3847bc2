// Issue 9 item 5: the replay guard is atomic. In a real target (Incus container, plumb-debian),
// four parallel runs of one contract execute it exactly once; seq 600 and 500 started together
// leave the mark at 600, and 600 never runs again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shqArgv } from "../../core/shell/quote.js";
import type { ContractSandbox } from "../../reconcilers/contract/sandbox.js";
import { HAVE_INCUS, launchTarget, pushBundle, trustKit, verifyArgv } from "../kit/trust-target.js";

const SKIP = !process.env.CI && !HAVE_INCUS;
const kit = trustKit();
let box: ContractSandbox;

describe.skipIf(SKIP)("plumb-verify replay guard under concurrency (real container)", () => {
  beforeAll(async () => {
    box = await launchTarget(kit.keyring);
    const r = await box.exec([
      "sh",
      "-c",
      "mkdir -p /var/lib/plumb && printf '1 0\\n' > /var/lib/plumb/state",
    ]);
    expect(r.code).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await box?.destroy();
  }, 60_000);

  it("4 parallel runs of one contract: exactly one executes", async () => {
    const b = await kit.bundle({
      target: "t1",
      seq: 100,
      script: "#!/usr/bin/env bash\necho ran >> /var/lib/plumb/ran-100\n",
    });
    await pushBundle(box, "/srv/b100", b);
    const one = shqArgv(verifyArgv("/srv/b100", "t1"));
    const r = await box.exec([
      "bash",
      "-c",
      `for i in 1 2 3 4; do ${one} > /tmp/out.$i 2>&1 & done; wait; cat /tmp/out.*; echo; wc -l < /var/lib/plumb/ran-100`,
    ]);
    expect(r.stdout.match(/"status":"ok"/g)?.length, r.stdout).toBe(1);
    expect(r.stdout.match(/"code":"PLB883"/g)?.length, r.stdout).toBe(3);
    expect(r.stdout.trim().split("\n").at(-1)).toBe("1");
  }, 120_000);

  it("seq 600 and 500 in parallel: the mark ends at 600 and 600 never runs again (3 rounds)", async () => {
    for (const base of [0, 1000, 2000]) {
      const [hi, lo] = [base + 600, base + 500];
      for (const seq of [lo, hi])
        await pushBundle(
          box,
          `/srv/b${seq}`,
          await kit.bundle({
            target: "t1",
            seq,
            script: `#!/usr/bin/env bash\necho ran >> /var/lib/plumb/ran-${seq}\n`,
          }),
        );
      const r = await box.exec([
        "bash",
        "-c",
        `${shqArgv(verifyArgv(`/srv/b${hi}`, "t1"))} > /tmp/o${hi} 2>&1 & ${shqArgv(verifyArgv(`/srv/b${lo}`, "t1"))} > /tmp/o${lo} 2>&1 & wait; cat /var/lib/plumb/state`,
      ]);
      expect(r.stdout.trim()).toBe(`1 ${hi}`);
      const again = await box.exec(verifyArgv(`/srv/b${hi}`, "t1"));
      expect(again.code).toBe(1);
      expect(again.stdout).toContain('"code":"PLB883"');
      const ran = await box.exec(["sh", "-c", `wc -l < /var/lib/plumb/ran-${hi}`]);
      expect(ran.stdout.trim()).toBe("1");
    }
  }, 180_000);
});
