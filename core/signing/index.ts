// The signing core's public surface: keys, SSHSIG, ssh-agent, allowed_signers, canonical JSON.
export * from "./allowed-signers.js";
export * from "./canonical-json.js";
export * from "./errors.js";
export * from "./key-files.js";
export * from "./openssh-private-key.js";
export * from "./public-key.js";
export * from "./signer.js";
export * from "./ssh-agent.js";
export * from "./ssh-wire.js";
export * from "./sshsig.js";
