import { describe, expect, it } from "vitest";
import { PlumbError } from "../errors.js";
import { exec, stderrTail } from "./exec.js";

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return "no error";
  } catch (e) {
    return e instanceof PlumbError ? e.code : String(e);
  }
};

describe("exec", () => {
  it("runs without a shell: metacharacters stay data", async () => {
    const r = await exec("printf", ["%s", "$(id); echo hi"]);
    expect(r.stdout).toBe("$(id); echo hi");
    expect(r.exitCode).toBe(0);
  });

  it("passes input on stdin and returns bytes when asked", async () => {
    const r = await exec("cat", [], { input: new Uint8Array([0, 1, 255]), binary: true });
    expect([...r.stdoutBytes]).toEqual([0, 1, 255]);
  });

  it("maps a missing program to PLB090, a failure to PLB091 with the stderr tail, a hang to PLB092", async () => {
    expect(await codeOf(exec("plumb-no-such-program", []))).toBe("PLB090");
    const failed = exec("bash", ["-c", "echo boom >&2; exit 3"]);
    await expect(failed).rejects.toThrow(/exited with 3:\nboom/);
    expect(await codeOf(exec("bash", ["-c", "exit 3"]))).toBe("PLB091");
    expect(await codeOf(exec("sleep", ["5"], { timeoutMs: 100 }))).toBe("PLB092");
  });

  it("returns a non-zero exit when reject is false", async () => {
    const r = await exec("bash", ["-c", "echo out; exit 2"], { reject: false });
    expect(r).toMatchObject({ exitCode: 2, stdout: "out\n" });
  });

  it("keeps only the last lines of stderr", () => {
    const text = Array.from({ length: 20 }, (_, i) => `line ${i}`).join("\n");
    expect(stderrTail(text, 2)).toBe("line 18\nline 19");
  });
});
