/**
 * The clinical entry forms the chart offers. The pure part (fields, reading and writing FHIR R4
 * resources, checks) is browser logic in client/fhir/forms; this re-export keeps the pages'
 * imports where they were.
 */
export {
  clinicalForms,
  editFormFor,
  editResource,
  initialValues,
  newResource,
  notEditableReason,
  shownFields,
  validate,
  type FieldSpec,
  type FormSpec,
  type FormValues,
} from "@/client/fhir/forms";
