import { isObject, type FhirResource } from "./types";

/**
 * Recognising a resource already in the chart, or twice in one file. A resource's identity
 * is, in this order: its business identifiers (FHIR R4 Identifier, `system|value`, each
 * prefixed with the resource type); else its fullUrl, when that is a global name (an
 * absolute URL, `urn:uuid:` or `urn:oid:`; a bundle-local `resource:0` is not); else a
 * SHA-256 of its canonical JSON (keys sorted at every level, no whitespace), computed in the
 * browser with WebCrypto, so the same content is the same record whoever exported it.
 */

/**
 * JSON with object keys sorted (UTF-16 code unit order) at every level and no whitespace:
 * equal for equal content whatever order the keys came in. Array order is kept (it is
 * meaningful in FHIR).
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(",")}]`;
  if (isObject(value)) {
    const keys = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** SHA-256 (FIPS 180-4, WebCrypto) of a resource's canonical JSON, as lower-case hex. */
export async function contentDigest(resource: FhirResource): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonicalJson(resource)));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

const globalName = /^(https?:\/\/|urn:uuid:|urn:oid:)/i;

/** The business identifiers of a resource, as `Type|identifier|system|value` (those without a value are no identity). */
function identifierKeys(resource: FhirResource): string[] {
  const identifiers: unknown[] = Array.isArray(resource.identifier) ? resource.identifier : isObject(resource.identifier) ? [resource.identifier] : [];
  return identifiers.flatMap((identifier) =>
    isObject(identifier) && typeof identifier.value === "string" && identifier.value !== ""
      ? [`${resource.resourceType}|identifier|${typeof identifier.system === "string" ? identifier.system : ""}|${identifier.value}`]
      : [],
  );
}

/**
 * The keys a resource is recognised by (see above): every identifier, else its global
 * fullUrl, else its content digest. Two resources are the same when they share a key.
 */
export async function identityKeys(resource: FhirResource, fullUrl?: string): Promise<string[]> {
  const identifiers = identifierKeys(resource);
  if (identifiers.length > 0) return identifiers;
  if (fullUrl && globalName.test(fullUrl)) return [`${resource.resourceType}|fullUrl|${fullUrl}`];
  return [`${resource.resourceType}|sha256|${await contentDigest(resource)}`];
}

/** Keys → whatever they identify (a chart record, an earlier entry of the file); the first to claim a key keeps it. */
export class IdentityIndex<T> {
  private readonly byKey = new Map<string, T>();

  add(keys: readonly string[], value: T): void {
    for (const key of keys) if (!this.byKey.has(key)) this.byKey.set(key, value);
  }

  find(keys: readonly string[]): T | undefined {
    for (const key of keys) {
      const found = this.byKey.get(key);
      if (found !== undefined) return found;
    }
    return undefined;
  }
}

/** Whether two resources hold the same content (key order aside). */
export const sameContent = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);
