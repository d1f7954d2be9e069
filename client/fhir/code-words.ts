/**
 * Words for FHIR R4 codes that often come without a display, so a reader never sees a bare
 * "vital-signs", "N" or "PCPR". One lookup, used wherever a coding or a code element is shown.
 */

const tables: Record<string, Record<string, string>> = {
  // FHIR R4 observation-category
  "http://terminology.hl7.org/CodeSystem/observation-category": {
    "social-history": "Social history",
    "vital-signs": "Vital signs",
    imaging: "Imaging",
    laboratory: "Laboratory",
    procedure: "Procedure",
    survey: "Survey",
    exam: "Exam",
    therapy: "Therapy",
    activity: "Activity",
  },
  // HL7 v3 Confidentiality (Composition.confidentiality, meta.security)
  "http://terminology.hl7.org/CodeSystem/v3-Confidentiality": {
    U: "Unrestricted",
    L: "Low",
    M: "Moderate",
    N: "Normal",
    R: "Restricted",
    V: "Very restricted",
  },
  // FHIR R4 composition-attestation-mode (Composition.attester.mode)
  "http://hl7.org/fhir/composition-attestation-mode": {
    personal: "Personal",
    professional: "Professional",
    legal: "Legal",
    official: "Official",
  },
  // FHIR R4 document-relationship-type (Composition.relatesTo.code, DocumentReference.relatesTo.code)
  "http://hl7.org/fhir/document-relationship-type": {
    replaces: "Replaces",
    transforms: "Transforms",
    signs: "Signs",
    appends: "Appends",
  },
  // HL7 v3 ActClass (Composition.event.code in the IPS)
  "http://terminology.hl7.org/CodeSystem/v3-ActClass": {
    PCPR: "Care provision",
    ENC: "Encounter",
  },
  // HL7 v3 ParticipationType (Encounter.participant.type, CareTeam roles)
  "http://terminology.hl7.org/CodeSystem/v3-ParticipationType": {
    PCPR: "Care provider",
    ATND: "Attender",
    ADM: "Admitter",
    AUT: "Author",
    PPRF: "Primary performer",
    SPRF: "Secondary performer",
    PART: "Participant",
    REF: "Referrer",
  },
};

// FHIR R4 code elements with a fixed code system (their codes carry no system of their own).
const fieldSystems: Record<string, string> = {
  confidentiality: "http://terminology.hl7.org/CodeSystem/v3-Confidentiality",
  mode: "http://hl7.org/fhir/composition-attestation-mode",
  code: "http://hl7.org/fhir/document-relationship-type",
};

/**
 * A code in words: looked up in its `system`'s table, or, with no system, in
 * every table where the code means one thing only ("vital-signs", "appends"). Undefined when
 * no table knows it (the caller shows the code itself).
 */
export function codeWords(code: string, system?: string): string | undefined {
  if (system) return tables[system]?.[code];
  const found = new Set(Object.values(tables).flatMap((entries) => (entries[code] ? [entries[code]] : [])));
  return found.size === 1 ? [...found][0] : undefined;
}

/** A code element's value in words by its FHIR R4 element name ("confidentiality" "N" → "Normal"), or undefined. */
export function codeFieldWords(field: string, code: string): string | undefined {
  const system = fieldSystems[field];
  return system ? tables[system]?.[code] : undefined;
}
