// The in-memory Incus the property tests use passes the same driver conformance suite as the fake
// server (incus-api-driver.test.ts) and the real daemon (tests/integration/incus-driver.test.ts).
import { afterAll, describe } from "vitest";
import { incusDriverConformance } from "../../tests/integration/incus-driver-conformance.js";
import { emptyIncus } from "./memory-incus.js";

describe("in-memory Incus: driver conformance", () => {
  const m = emptyIncus();
  // Operations take a moment, as on the daemon, so the suite can see them running.
  m.transport.operations.delayMs = 5;
  afterAll(() => m.driver.close());
  incusDriverConformance(() => ({ driver: m.driver, image: "plumb-busybox" }));
});
