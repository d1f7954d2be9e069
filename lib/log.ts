import "server-only";
import pino from "pino";
import { config } from "@/lib/config";

/**
 * Structured logs. Callers pass ids, codes and numbers only: never request or response
 * bodies, headers, keys, tokens or anything a user typed. The redact list is a second
 * line of defence for fields that could carry them by mistake.
 */
export const redactedPaths = [
  "body",
  "*.body",
  "headers",
  "*.headers",
  "cookie",
  "*.cookie",
  "authorization",
  "*.authorization",
  "token",
  "*.token",
  "key",
  "*.key",
  "secret",
  "*.secret",
  "ciphertext",
  "*.ciphertext",
  "plaintext",
  "*.plaintext",
];

const globalKey = Symbol.for("health-safe-cloud.logger");
type GlobalWithLogger = typeof globalThis & { [globalKey]?: pino.Logger };

export function logger(): pino.Logger {
  const holder = globalThis as GlobalWithLogger;
  holder[globalKey] ??= pino({
    level: config().logLevel,
    base: { service: "health-safe-cloud" },
    redact: { paths: redactedPaths, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
  return holder[globalKey];
}

/**
 * Library messages sometimes quote the value that failed (a database error quotes the
 * input it rejected), so quoted text is blanked before an error is logged.
 */
export function scrubMessage(message: string): string {
  return message.replace(/"[^"]*"|'[^']*'|`[^`]*`/g, '"…"').slice(0, 500);
}

/** Logs an unexpected error with its type, code and stack frames; never the values it quotes. */
export function logUnexpected(error: unknown, context: Record<string, string | number>): void {
  const detail =
    error instanceof Error
      ? {
          type: error.name,
          code: (error as { code?: unknown }).code,
          message: scrubMessage(error.message),
          stack: error.stack?.split("\n").slice(1).join("\n"),
        }
      : { type: typeof error };
  logger().error({ ...context, error: detail }, "unexpected error");
}
