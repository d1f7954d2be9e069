import { isObject } from "./types";

/** One Bundle invariant a bundle breaks: its key in FHIR R4 (§ Bundle, "Constraints") and what is wrong, in words. */
export interface BundleViolation {
  key: "bdl-1" | "bdl-2" | "bdl-3" | "bdl-4" | "bdl-5" | "bdl-7" | "bdl-8" | "bdl-9" | "bdl-10" | "bdl-11" | "bdl-12";
  message: string;
}

export class InvalidBundleError extends Error {
  override readonly name = "InvalidBundleError";
  constructor(readonly violations: BundleViolation[]) {
    super(
      `The bundle breaks FHIR R4 ${violations.map((violation) => violation.key).join(", ")}: ${violations.map((violation) => violation.message).join("; ")}`,
    );
  }
}

const present = (value: unknown) => value !== undefined && value !== null;

/**
 * Checks a Bundle against the invariants FHIR R4 sets on Bundle and Bundle.entry
 * (http://hl7.org/fhir/R4/bundle.html#invs; R4 has no bdl-6), as their FHIRPath says:
 * - bdl-1 `total` only in a searchset or history; bdl-2 `entry.search` only in a searchset;
 * - bdl-3 `entry.request` in every entry of a batch, transaction or history, and in no other;
 * - bdl-4 `entry.response` in every entry of a batch-response, transaction-response or history, and in no other;
 * - bdl-5 each entry has a resource, a request or a response;
 * - bdl-7 fullUrl unique, or the same fullUrl with different `resource.meta.versionId` (history exempt);
 * - bdl-8 no version-specific fullUrl (`/_history/`);
 * - bdl-9, bdl-10, bdl-11 a document has identifier.system and .value, a timestamp, and a Composition first;
 * - bdl-12 a message has a MessageHeader first.
 * Reads `bundle` defensively (anything may be passed). Returns every violation, none for a bundle that keeps them all.
 */
export function bundleViolations(bundle: unknown): BundleViolation[] {
  if (!isObject(bundle)) return [{ key: "bdl-5", message: "it is not a Bundle" }];
  const type = bundle.type;
  const entries = (Array.isArray(bundle.entry) ? bundle.entry : []).map((entry: unknown) => (isObject(entry) ? entry : {}));
  const violations: BundleViolation[] = [];
  const add = (key: BundleViolation["key"], message: string) => violations.push({ key, message });

  if (present(bundle.total) && type !== "searchset" && type !== "history") add("bdl-1", `a ${String(type)} bundle has a total`);
  if (type !== "searchset" && entries.some((entry) => present(entry.search))) add("bdl-2", `an entry of a ${String(type)} bundle has search`);
  const needsRequest = type === "batch" || type === "transaction" || type === "history";
  if (entries.some((entry) => present(entry.request) !== needsRequest))
    add("bdl-3", needsRequest ? `an entry of a ${String(type)} bundle has no request` : `an entry of a ${String(type)} bundle has a request`);
  const needsResponse = type === "batch-response" || type === "transaction-response" || type === "history";
  if (entries.some((entry) => present(entry.response) !== needsResponse))
    add("bdl-4", needsResponse ? `an entry of a ${String(type)} bundle has no response` : `an entry of a ${String(type)} bundle has a response`);
  entries.forEach((entry, index) => {
    if (!present(entry.resource) && !present(entry.request) && !present(entry.response)) add("bdl-5", `entry ${index} has no resource, request or response`);
    if (typeof entry.fullUrl === "string" && entry.fullUrl.includes("/_history/")) add("bdl-8", `entry ${index}'s fullUrl ${entry.fullUrl} names a version`);
  });
  if (type !== "history") {
    const seen = new Set<string>();
    for (const entry of entries) {
      if (!present(entry.fullUrl)) continue;
      const meta = isObject(entry.resource) && isObject(entry.resource.meta) ? entry.resource.meta : {};
      // FHIRPath's `fullUrl & versionId` treats a missing versionId as the empty string.
      const key = `${String(entry.fullUrl)}\u0000${present(meta.versionId) ? String(meta.versionId) : ""}`;
      if (seen.has(key)) add("bdl-7", `the fullUrl ${String(entry.fullUrl)} appears twice with the same version`);
      seen.add(key);
    }
  }
  const firstType = isObject(entries[0]?.resource) ? entries[0].resource.resourceType : undefined;
  if (type === "document") {
    const identifier = isObject(bundle.identifier) ? bundle.identifier : {};
    if (!present(identifier.system) || !present(identifier.value)) add("bdl-9", "a document has no identifier with a system and a value");
    if (!present(bundle.timestamp)) add("bdl-10", "a document has no timestamp");
    if (firstType !== "Composition") add("bdl-11", "a document does not start with a Composition");
  }
  if (type === "message" && firstType !== "MessageHeader") add("bdl-12", "a message does not start with a MessageHeader");
  return violations;
}

/** Throws InvalidBundleError naming every invariant the bundle breaks (see bundleViolations); returns the bundle otherwise. */
export function checkedBundle<T>(bundle: T): T {
  const violations = bundleViolations(bundle);
  if (violations.length > 0) throw new InvalidBundleError(violations);
  return bundle;
}
