/** A file that cannot be imported at all (not JSON, not FHIR, a bundle type that carries no records), with the message to show. */
export class ImportError extends Error {
  override readonly name = "ImportError";
}
