// The registry of semantic rules, run in this order after the schema. Each is a small named
// function (see context.ts); docs/infra-reference.md lists them with their codes.
import {
  addressingIsComputable,
  ipsAreNotReserved,
  ipsAreUnique,
  ipsAreValidIPv4,
  ipsInsideDomainSubnet,
} from "./addressing.js";
import { anklumeOnlyKeysNoted } from "./compat.js";
import type { Rule } from "./context.js";
import { contractsMatchTemplates } from "./contracts.js";
import { incusKeysAreValid } from "./incus-keys.js";
import {
  generatedDevicesDoNotCollide,
  gpuPolicyHolds,
  mountPathsAreUnique,
  privilegedContainersFlagged,
  sharedVolumeConsumersResolve,
  untrustedZonesPreferVms,
} from "./machines.js";
import {
  domainNamesAreValid,
  machineNamesAreUnique,
  machineNamesAreValid,
  namesDoNotCollide,
  namesFitLinuxAndIncus,
} from "./names.js";
import {
  aiAccessPolicyHolds,
  firewallVmHasDomain,
  policiesAreNotSelfLoops,
  policiesAvoidDisabledDomains,
  policyEndpointsResolve,
  profilesResolve,
} from "./references.js";
import { addressesAreSticky } from "./renumber.js";
import {
  contractNamesAreUnique,
  instanceKeysNotOnServers,
  serverKeysOnlyOnServers,
  serversAreComplete,
  serversAreNotIncusEndpoints,
} from "./targets.js";

export const RULES: Readonly<Record<string, Rule>> = {
  domainNamesAreValid,
  machineNamesAreValid,
  namesFitLinuxAndIncus,
  machineNamesAreUnique,
  namesDoNotCollide,
  addressingIsComputable,
  ipsAreValidIPv4,
  ipsInsideDomainSubnet,
  ipsAreNotReserved,
  ipsAreUnique,
  addressesAreSticky,
  profilesResolve,
  policyEndpointsResolve,
  policiesAvoidDisabledDomains,
  policiesAreNotSelfLoops,
  aiAccessPolicyHolds,
  firewallVmHasDomain,
  gpuPolicyHolds,
  untrustedZonesPreferVms,
  privilegedContainersFlagged,
  generatedDevicesDoNotCollide,
  mountPathsAreUnique,
  sharedVolumeConsumersResolve,
  anklumeOnlyKeysNoted,
  incusKeysAreValid,
  serversAreComplete,
  serverKeysOnlyOnServers,
  instanceKeysNotOnServers,
  serversAreNotIncusEndpoints,
  contractNamesAreUnique,
  contractsMatchTemplates,
};
