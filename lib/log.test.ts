import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { redactedPaths, scrubMessage } from "./log";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const log = pino({ redact: { paths: redactedPaths, censor: "[redacted]" } }, stream);
  return { log, lines };
}

describe("log redaction", () => {
  it("censors bodies, headers, keys and tokens wherever a caller slips them in", () => {
    const { log, lines } = capture();
    log.info(
      {
        body: "canary-body",
        request: { headers: { cookie: "canary-cookie" }, body: "canary-nested" },
        token: "canary-token",
        grant: { key: "canary-key", ciphertext: "canary-ct" },
      },
      "event",
    );
    const output = lines.join("");
    expect(output).not.toMatch(/canary/);
    expect(output).toContain("[redacted]");
  });
});

describe("scrubMessage", () => {
  it("blanks quoted values that drivers put in their messages", () => {
    expect(scrubMessage('invalid input syntax for type uuid: "Jane Doe diabetes"')).toBe('invalid input syntax for type uuid: "…"');
    expect(scrubMessage("value 'x' and `y`")).toBe('value "…" and "…"');
  });
});
