import { ImportError } from "./import-error";

/** One line of an NDJSON file, numbered from 1 as an editor numbers it. */
export interface NumberedLine {
  number: number;
  text: string;
}

/**
 * The lines of a UTF-8 byte stream (LF or CRLF endings), read chunk by chunk so that a large
 * file is never held whole as text beside what is parsed from it. A byte-order mark is dropped.
 */
export async function* linesOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<NumberedLine> {
  const decoder = new TextDecoder("utf-8");
  const reader = stream.getReader();
  let pending = "";
  let number = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      pending += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let end = pending.indexOf("\n");
      while (end >= 0) {
        number += 1;
        yield { number, text: stripLine(pending.slice(0, end), number) };
        pending = pending.slice(end + 1);
        end = pending.indexOf("\n");
      }
      if (done) break;
    }
    if (pending.length > 0) yield { number: number + 1, text: stripLine(pending, number + 1) };
  } finally {
    reader.releaseLock();
  }
}

/** The lines of a text already in memory (a file read whole because it did not parse as one JSON value). */
export function* linesOfText(text: string): Generator<NumberedLine> {
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index += 1) yield { number: index + 1, text: stripLine(lines[index]!, index + 1) };
}

const stripLine = (line: string, number: number) => {
  const withoutBom = number === 1 && line.startsWith("\uFEFF") ? line.slice(1) : line;
  return withoutBom.endsWith("\r") ? withoutBom.slice(0, -1) : withoutBom;
};

/** A resource read from one NDJSON line, with the line it came from. */
export interface NdjsonResource {
  line: number;
  resource: Record<string, unknown> & { resourceType: string };
}

/**
 * Parses NDJSON as FHIR Bulk Data writes it (one resource per line, application/fhir+ndjson;
 * https://hl7.org/fhir/uv/bulkdata/ section "Bulk Data Output File Format"). Blank lines are
 * ignored.
 * @throws ImportError naming the first line that is not JSON, or not a FHIR resource (an object
 *   with a resourceType), and when the file holds no resource at all.
 */
export async function parseNdjson(lines: AsyncIterable<NumberedLine> | Iterable<NumberedLine>): Promise<NdjsonResource[]> {
  const resources: NdjsonResource[] = [];
  for await (const { number, text } of lines) {
    if (text.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (caught) {
      if (!(caught instanceof SyntaxError)) throw caught;
      throw new ImportError(`Line ${number} of this file is not valid JSON, so the file cannot be read as NDJSON (one FHIR resource per line).`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value) || typeof (value as { resourceType?: unknown }).resourceType !== "string") {
      throw new ImportError(`Line ${number} of this file is not a FHIR resource (it has no resourceType).`);
    }
    resources.push({ line: number, resource: value as NdjsonResource["resource"] });
  }
  if (resources.length === 0) throw new ImportError("This file holds no FHIR resource.");
  return resources;
}
