import { lineDetails, type PatientSummary } from "@/client/summary/patient-summary";

/**
 * A patient summary as a page shows and prints it: the header (who, when made, not a verified
 * clinical document), then each section with its statements and records; an empty section
 * reads "No information". The same words as the PDF (buildSummaryPdf).
 */
export function SummaryDocument({ summary }: { summary: PatientSummary }) {
  return (
    <article className="summary-document" aria-labelledby="summary-document-title" data-testid="summary-document">
      <header className="summary-document-header">
        <h2 id="summary-document-title">{summary.title}</h2>
        <p className="summary-document-patient" data-testid="summary-patient">
          {summary.patient}
        </p>
        <p className="summary-document-meta">{summary.made}</p>
        <p className="summary-document-meta">{summary.notice}</p>
      </header>
      {summary.sections.map((section) => (
        <section key={section.key} className="summary-section" aria-labelledby={`summary-section-${section.key}`} data-testid="summary-section">
          <h3 id={`summary-section-${section.key}`}>{section.heading}</h3>
          {section.lines.length === 0 && section.statements.length === 0 && <p className="summary-empty">{summary.empty}</p>}
          {section.statements.length > 0 && (
            <ul className="summary-statements">
              {section.statements.map((statement, index) => (
                <li key={index}>{statement}</li>
              ))}
            </ul>
          )}
          {section.lines.length > 0 && (
            <ul className="summary-lines">
              {section.lines.map((line, index) => (
                <li key={index}>
                  <span className="summary-line-title">{line.title}</span>
                  {lineDetails(line) && <span className="summary-line-details">{lineDetails(line)}</span>}
                </li>
              ))}
            </ul>
          )}
        </section>
      ))}
    </article>
  );
}
