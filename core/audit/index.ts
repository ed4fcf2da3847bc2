// The audit trail's API for the rest of plumb: `appendAudit(root, {type, priority, payload})`.
export {
  AUDIT_DIR,
  AUDIT_FILE,
  type AuditEvent,
  appendAudit,
  auditPath,
  defaultActor,
} from "./append.js";
export {
  AUDIT_TYPES,
  type AuditEntry,
  type AuditType,
  PRIORITIES,
  type Priority,
} from "./envelope.js";
export { type AuditVerdict, verifyAuditText } from "./verify.js";
