// Structured logs (pino, JSON lines on stderr) for the reconcile job and apply: `--log-format json`
// or PLUMB_LOG_FORMAT=json turns them on, PLUMB_LOG_LEVEL picks the level (default info). Every
// line carries the run id; step loggers add the step. Off by default: people read the terminal view.
import pino, { type Logger } from "pino";
import { redactSecrets } from "../redact/plan-secrets.js";

export type LogFormat = "json" | "off";
export type { Logger };

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

export function logFormat(option: unknown, env: NodeJS.ProcessEnv): LogFormat {
  const v = typeof option === "string" ? option : env.PLUMB_LOG_FORMAT;
  return v === "json" ? "json" : "off";
}

/** A logger for one run; `silent` when logs are off. `dest` defaults to stderr (fd 2). */
export function runLogger(
  run: string,
  options: {
    format: LogFormat;
    env?: NodeJS.ProcessEnv;
    dest?: pino.DestinationStream;
    component?: string;
  },
): Logger {
  const env = options.env ?? process.env;
  const wanted = (env.PLUMB_LOG_LEVEL ?? "info").toLowerCase();
  const level = (LOG_LEVELS as readonly string[]).includes(wanted) ? wanted : "info";
  return pino(
    {
      level: options.format === "off" ? "silent" : level,
      base: { run, component: options.component ?? "plumb" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        // The redaction hook: sensitive config values never reach a log line (core/redact/).
        log: (obj) => redactSecrets(obj).value,
      },
    },
    options.dest ?? pino.destination({ fd: 2, sync: true }),
  );
}
