import { fromUtf8, isCryptoError } from "@/crypto";
import { ImportError, planImport, type FhirResource, type ImportPlan } from "../fhir";
import { humanName } from "../fhir/names";
import { isObject } from "../fhir/types";
import type { RecordDocument } from "../records/records";
import { ShlOpenError } from "./open-errors";
import type { Fetcher, LinkFile } from "./open-fetch";
import { cardJwsList, readHealthCard, type CardSignature } from "./open-health-card";

/** An inline PDF of a DocumentReference (the printable summary): its title and base64 data, decoded only when downloaded. */
export interface LinkPdf {
  title: string;
  data: string;
}

/** A validated FHIR Bundle of a link, planned as an import would plan it (records, patient, PDFs). */
export interface LinkBundle {
  bundle: Record<string, unknown>;
  /** The Bundle's Patient's name, when it names one. */
  patientName?: string;
  /** Every record the Bundle holds, as the chart would store it (kind, resource, context). */
  records: Array<{ id: string; document: RecordDocument }>;
  pdfs: LinkPdf[];
}

/** What a link held, file by file, ready to show. */
export type LinkContent =
  | { kind: "bundle"; bundle: LinkBundle }
  | { kind: "health-card"; issuer: string; signature: CardSignature; bundle: LinkBundle | null }
  | { kind: "other"; contentType: string };

const fhirTypes = new Set(["application/fhir+json", "application/json"]);
const cardType = "application/smart-health-card";

/**
 * Validates and reads a link's decrypted files: FHIR JSON (`application/fhir+json`) must be a
 * Bundle with entries that carry resources; a health card file (`application/smart-health-card`)
 * gives each card with its signature checked (issuer keys fetched with `fetcher`). A file
 * with no content type is recognised by its JSON. Other types are listed, not shown.
 * @throws ShlOpenError("bad-content") for a FHIR or card file that is not one
 */
export async function readLinkContent(files: readonly LinkFile[], fetcher: Fetcher): Promise<LinkContent[]> {
  const contents: LinkContent[] = [];
  for (const file of files) {
    const type = file.contentType?.split(";")[0]?.trim().toLowerCase();
    if (type !== undefined && !fhirTypes.has(type) && type !== cardType) {
      contents.push({ kind: "other", contentType: type });
      continue;
    }
    const json = parsedJson(file.plaintext);
    const cards = type === cardType || type === undefined ? cardJwsList(json) : null;
    if (cards) {
      for (const jws of cards) {
        const card = await readHealthCard(jws, fetcher);
        contents.push({
          kind: "health-card",
          issuer: card.issuer,
          signature: card.signature,
          bundle: card.bundle === null ? null : optionalBundle(card.bundle),
        });
      }
      continue;
    }
    if (type === cardType) throw new ShlOpenError("bad-content");
    contents.push({ kind: "bundle", bundle: linkBundle(json) });
  }
  return contents;
}

function parsedJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(fromUtf8(bytes)) as unknown;
  } catch (error) {
    if (error instanceof SyntaxError || (isCryptoError(error) && error.code === "malformed")) throw new ShlOpenError("bad-content");
    throw error;
  }
}

function optionalBundle(json: unknown): LinkBundle | null {
  try {
    return linkBundle(json);
  } catch (error) {
    if (error instanceof ShlOpenError) return null;
    throw error;
  }
}

/**
 * A Bundle as the viewer shows it: `resourceType` "Bundle", at least one entry, every entry
 * with a resource that has a `resourceType`; planned with the chart's import plan, so the
 * records read exactly as they would in a chart.
 * @throws ShlOpenError("bad-content") for anything else
 */
export function linkBundle(json: unknown): LinkBundle {
  if (!isObject(json) || json.resourceType !== "Bundle" || !Array.isArray(json.entry) || json.entry.length === 0) throw new ShlOpenError("bad-content");
  const resources = json.entry.map((entry: unknown) => (isObject(entry) && isObject(entry.resource) ? entry.resource : null));
  if (resources.some((resource) => resource === null || typeof resource.resourceType !== "string")) throw new ShlOpenError("bad-content");
  let plan: ImportPlan;
  try {
    plan = planImport(json);
  } catch (error) {
    if (error instanceof ImportError)
      throw new ShlOpenError("bad-content", undefined, `The shared file is not health records this viewer can show: ${error.message}`);
    throw error;
  }
  const patient = (resources as FhirResource[]).find((resource) => resource.resourceType === "Patient");
  return {
    bundle: json,
    patientName: patient ? humanName(patient.name) : undefined,
    records: plan.records.map((record, index) => ({
      id: `record-${index}`,
      document: {
        v: 1,
        kind: record.kind,
        resource: record.resource,
        ...(record.fullUrl ? { fullUrl: record.fullUrl } : {}),
        ...(record.context ? { context: record.context } : {}),
      },
    })),
    pdfs: plan.records.flatMap((record) => pdfsOf(record.resource)),
  };
}

/** A DocumentReference's inline PDFs (content[].attachment with contentType application/pdf and data). */
function pdfsOf(resource: FhirResource): LinkPdf[] {
  if (resource.resourceType !== "DocumentReference" || !Array.isArray(resource.content)) return [];
  return resource.content.flatMap((content: unknown) => {
    const attachment = isObject(content) && isObject(content.attachment) ? content.attachment : null;
    if (!attachment || attachment.contentType !== "application/pdf" || typeof attachment.data !== "string") return [];
    const title = typeof attachment.title === "string" ? attachment.title : typeof resource.description === "string" ? resource.description : "Summary";
    return [{ title, data: attachment.data }];
  });
}

/**
 * The entries of every Bundle a link held (its files and its health cards' bundles), as one
 * collection Bundle for the chart's import, which finds what is already in the chart.
 */
export function importableBundle(contents: readonly LinkContent[]): Record<string, unknown> | null {
  const bundles = contents.flatMap((content) =>
    content.kind === "bundle" ? [content.bundle] : content.kind === "health-card" && content.bundle ? [content.bundle] : [],
  );
  if (bundles.length === 0) return null;
  if (bundles.length === 1) return bundles[0]!.bundle;
  return { resourceType: "Bundle", type: "collection", entry: bundles.flatMap((bundle) => bundle.bundle.entry as unknown[]) };
}
