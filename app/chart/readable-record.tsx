import { summarize, type FhirResource } from "@/client/fhir";
import { compositionSections, referencesRecord, type SectionView } from "@/client/fhir/composition";
import type { RecordDocument } from "@/client/records/records";
import { Fields } from "./readable-resource";

const statementWords = {
  "none-known": "A statement that there is none known",
  unknown: "A statement that no information is available",
  refuted: "A statement that this was ruled out",
  "not-done": "A statement that this was not done",
  "not-taken": "A statement that this was not taken",
  "do-not": "An order not to give or do this",
} as const;

/**
 * A record read as a clinician reads it: its value with reference ranges, interpretation
 * flags and components, whether it is a negated statement, a received summary's sections
 * (naming the records each lists, from `records`), then every field under its clinical label
 * with references named through the record's context. Used by the chart and the clinician's view.
 */
export function ReadableRecord({ document, records = [] }: { document: RecordDocument; records?: ReadonlyArray<{ document: RecordDocument }> }) {
  const context = document.context ?? [];
  const resource = document.resource as FhirResource;
  const summary = summarize(resource, context);
  const sections = resource.resourceType === "Composition" ? compositionSections(resource, records) : null;
  // A reference to another record of the chart (a result's visit, a report's results) is named by that record's title.
  const recordTitle = (reference: string) => {
    const target = records.find((record) => record.document !== document && referencesRecord(reference, record.document));
    return target ? summarize(target.document.resource as FhirResource, target.document.context ?? [])?.title : undefined;
  };
  return (
    <div className="hsc-readable">
      {summary?.statement && <p className="hsc-statement-note">{statementWords[summary.statement]}.</p>}
      {summary && (summary.value || summary.flags.length > 0 || summary.ranges.length > 0 || (document.kind !== "note" && summary.details.length > 0)) && (
        <dl className="fields hsc-clinical-value">
          {summary.value && (
            <div className="field-pair">
              <dt>Result</dt>
              <dd data-testid="record-value">{summary.value}</dd>
            </div>
          )}
          {summary.flags.length > 0 && (
            <div className="field-pair">
              <dt>Interpretation</dt>
              <dd>{summary.flags.join(", ")}</dd>
            </div>
          )}
          {summary.ranges.length > 0 && (
            <div className="field-pair">
              <dt>Reference range</dt>
              <dd>{summary.ranges.map((range) => range.replace(/^ref /, "")).join("; ")}</dd>
            </div>
          )}
          {document.kind !== "note" && summary.details.length > 0 && (
            <div className="field-pair">
              <dt>In short</dt>
              <dd>
                <ul>
                  {summary.details.map((line, index) => (
                    <li key={index}>{line}</li>
                  ))}
                </ul>
              </dd>
            </div>
          )}
        </dl>
      )}
      {sections && <CompositionSections sections={sections} />}
      <Fields resource={resource} naming={{ holder: resource, context, recordTitle }} omit={sections ? ["section"] : undefined} />
    </div>
  );
}

function CompositionSections({ sections, level = 4 }: { sections: SectionView[]; level?: 4 | 5 | 6 }) {
  const Heading = `h${level}` as const;
  return (
    <div className="hsc-sections" data-testid="composition-sections">
      {sections.map((section, index) => (
        <section key={index} className="hsc-section" aria-label={section.title}>
          <Heading className="hsc-section-title">{section.title}</Heading>
          {section.entries.length > 0 && (
            <ul>
              {section.entries.map((entry, entryIndex) => (
                <li key={entryIndex}>{entry}</li>
              ))}
            </ul>
          )}
          {section.emptyReason && <p className="hsc-empty-reason">{section.emptyReason}</p>}
          {section.text && <p className="hsc-section-text">{section.text}</p>}
          {section.sections.length > 0 && <CompositionSections sections={section.sections} level={level < 6 ? ((level + 1) as 5 | 6) : 6} />}
        </section>
      ))}
    </div>
  );
}
