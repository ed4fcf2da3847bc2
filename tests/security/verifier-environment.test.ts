// Issue 9 item 7: plumb-verify does not trust its environment. In a real target (Incus
// container, plumb-debian): the verified copy lives under the root-owned run directory, so a
// local user who owns $TMPDIR sees nothing there and cannot swap it; BASH_ENV and other
// variables of the caller never reach the contract; a .sig whose trailing newline was removed
// is refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shq } from "../../core/shell/quote.js";
import type { ContractSandbox } from "../../reconcilers/contract/sandbox.js";
import { HAVE_INCUS, launchTarget, pushBundle, trustKit, verifyArgv } from "../kit/trust-target.js";

const SKIP = !process.env.CI && !HAVE_INCUS;
const kit = trustKit();
let box: ContractSandbox;
let seq = 10;

describe.skipIf(SKIP)("plumb-verify environment hardening (real container)", () => {
  beforeAll(async () => {
    box = await launchTarget(kit.keyring);
    const r = await box.exec([
      "sh",
      "-c",
      "mkdir -p /var/lib/plumb && printf '1 0\\n' > /var/lib/plumb/state && mkdir -m 0777 /tmp/evil && chown 4242:4242 /tmp/evil",
    ]);
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await box?.destroy();
  }, 60_000);

  it("TOCTOU: a local user owning TMPDIR never sees the work directory and cannot swap it", async () => {
    const b = await kit.bundle({
      target: "t1",
      seq: ++seq,
      script: "#!/usr/bin/env bash\nsleep 2\necho verified-script-ran > /var/lib/plumb/toctou\n",
    });
    await pushBundle(box, "/srv/toctou", b);
    // The attacker (uid 4242) renames everything that appears in its TMPDIR and plants a script.
    const attacker = [
      "end=$((SECONDS+8))",
      "while [ $SECONDS -lt $end ]; do",
      "  for d in /tmp/evil/*; do",
      '    [ -e "$d" ] || continue',
      "    case $d in *.owned) continue ;; esac",
      '    echo "$d" >> /tmp/evil/seen.owned',
      '    mv -- "$d" "$d.moved.owned" 2>/dev/null && mkdir -- "$d" &&',
      '      printf \'id > /tmp/pwned\\n\' > "$d/contract.sh" && chmod -R 0777 "$d"',
      "  done",
      "done",
    ].join("\n");
    const r = await box.exec(
      [
        "bash",
        "-c",
        `setpriv --reuid=4242 --regid=4242 --clear-groups bash -c ${shq(attacker)} & sleep 0.5; ${verifyArgv("/srv/toctou", "t1").map(shq).join(" ")}; rc=$?; wait; echo "rc=$rc"`,
      ],
      { TMPDIR: "/tmp/evil" },
    );
    expect(r.stdout, r.stderr).toContain('"status":"ok"');
    expect(r.stdout).toContain("rc=0");
    const check = await box.exec(["sh", "-c", "cat /var/lib/plumb/toctou; ls /tmp/pwned 2>&1"]);
    expect(check.stdout).toContain("verified-script-ran");
    expect(check.stdout).toContain("No such file");
    // Nothing of the verifier ever appeared in the attacker's TMPDIR.
    const seen = await box.exec(["sh", "-c", "cat /tmp/evil/seen.owned 2>/dev/null || true"]);
    expect(seen.stdout).toBe("");
  }, 120_000);

  it("BASH_ENV, ENV, SHELLOPTS and other variables of the caller never reach the contract", async () => {
    const b = await kit.bundle({
      target: "t1",
      seq: ++seq,
      script: "#!/usr/bin/env bash\nenv | sort > /var/lib/plumb/contract-env\n",
    });
    await pushBundle(box, "/srv/env", b);
    await box.push({
      path: "/tmp/evil/bashenv.sh",
      bytes: new TextEncoder().encode("case $0 in *contract.sh) id > /tmp/pwned-bashenv ;; esac\n"),
      mode: "0644",
    });
    const r = await box.exec(verifyArgv("/srv/env", "t1"), {
      BASH_ENV: "/tmp/evil/bashenv.sh",
      ENV: "/tmp/evil/bashenv.sh",
      SHELLOPTS: "xtrace",
      PLUMB_DESTDIR: "/tmp/evil/dest",
      SECRET_TOKEN: "leak",
    });
    expect(r.stdout, r.stderr).toContain('"status":"ok"');
    const env = await box.exec([
      "sh",
      "-c",
      "cat /var/lib/plumb/contract-env; ls /tmp/pwned-bashenv 2>&1",
    ]);
    expect(env.stdout).toContain("No such file");
    const names = env.stdout
      .split("\n")
      .filter((l) => /^[A-Za-z_]+=/.test(l))
      .map((l) => l.split("=")[0]);
    for (const bad of ["BASH_ENV", "ENV", "SHELLOPTS", "PLUMB_DESTDIR", "SECRET_TOKEN", "TMPDIR"])
      expect(names).not.toContain(bad);
    expect(env.stdout).toContain("PATH=/usr/sbin:/usr/bin:/sbin:/bin\n");
  }, 120_000);

  it("a signature file whose trailing newline was removed is refused on the target", async () => {
    const b = await kit.bundle({ target: "t1", seq: ++seq, script: "#!/usr/bin/env bash\ntrue\n" });
    const sig = b.signatures[0] as { name: string; bytes: Uint8Array };
    await pushBundle(box, "/srv/nl", {
      ...b,
      signatures: [{ name: sig.name, bytes: sig.bytes.subarray(0, -1) }],
    });
    const r = await box.exec(verifyArgv("/srv/nl", "t1"));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('"code":"PLB877"');
    expect(r.stderr).toContain("not byte-exact");
  }, 120_000);
});
