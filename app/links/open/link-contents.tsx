"use client";

import { useMemo, useState, type Ref } from "react";
import { RecordGroups, rowFacts } from "@/app/_components/record-groups";
import { ReadableRecord } from "@/app/chart/readable-record";
import { fromBase64, isCryptoError } from "@/crypto";
import type { LinkBundle, LinkContent, LinkPdf } from "@/client/links/open-content";
import { downloadBlob } from "@/client/records/download";
import { isBrowserStorageError } from "@/client/records/held-blob";
import { groupRecords, summarizeRecords } from "@/client/records/record-groups";
import { allergyRisk } from "@/client/fhir/allergy-risk";

const signatureWords = {
  verified: "Signature verified: issued by this issuer and not altered.",
  mismatch: "Signature does not match: this card was altered, or was not issued by this issuer. Do not rely on it.",
  unchecked: "Signature could not be checked (issuer keys unreachable).",
} as const;

/** What an emergency reader needs first, in this order; the other kinds follow in the chart's order. */
const emergencyFirst = ["allergy", "medication", "condition"];

/**
 * What a link held, file by file: each Bundle's records as the chart shows them, each health
 * card with its signature state. `headingRef` is the heading the page focuses once opened;
 * `emergency` (the emergency card's link) puts allergies, medications and problems first.
 */
export function LinkContents({
  contents,
  headingRef,
  emergency = false,
}: {
  contents: LinkContent[];
  headingRef?: Ref<HTMLHeadingElement>;
  emergency?: boolean;
}) {
  return (
    <section aria-labelledby="link-contents-title">
      <h2 id="link-contents-title" ref={headingRef} tabIndex={-1}>
        What the link holds
      </h2>
      {contents.map((content, index) => {
        if (content.kind === "bundle") return <LinkBundleView key={index} bundle={content.bundle} index={index} emergency={emergency} />;
        if (content.kind === "health-card") {
          return (
            <section key={index} className="card" aria-labelledby={`card-${index}-title`} data-testid="health-card">
              <h3 id={`card-${index}-title`}>SMART Health Card from {content.issuer || "an unnamed issuer"}</h3>
              <p data-testid="card-signature" className={content.signature === "verified" ? undefined : "form-error"}>
                {signatureWords[content.signature]}
              </p>
              {content.bundle ? <LinkBundleView bundle={content.bundle} index={index} /> : <p>The card&apos;s content could not be read.</p>}
            </section>
          );
        }
        return (
          <p key={index} className="card">
            A file of type {content.contentType}, which this viewer does not show.
          </p>
        );
      })}
    </section>
  );
}

function LinkBundleView({ bundle, index, emergency = false }: { bundle: LinkBundle; index: number; emergency?: boolean }) {
  const [open, setOpen] = useState<string | null>(null);
  const groups = useMemo(() => {
    const grouped = groupRecords(summarizeRecords(bundle.records));
    if (!emergency) return grouped;
    const rank = (kind: string) => (emergencyFirst.includes(kind) ? emergencyFirst.indexOf(kind) : emergencyFirst.length);
    return [...grouped].sort((a, b) => rank(a.kind) - rank(b.kind));
  }, [bundle.records, emergency]);
  return (
    <div className="card" data-testid="link-bundle">
      {bundle.patientName && <p>Records of {bundle.patientName}</p>}
      {bundle.pdfs.map((pdf, pdfIndex) => (
        <PdfDownload key={pdfIndex} pdf={pdf} />
      ))}
      {bundle.records.length === 0 && <p>This Bundle holds no records.</p>}
      <RecordGroups
        groups={groups}
        idPrefix={`link-${index}-group`}
        level={3}
        renderRow={({ item: record, summary }) => {
          // An allergy's criticality and worst reaction show in the row, as on the emergency card: a reader must not have to open it to see them.
          const facts = [rowFacts(summary), ...(summary?.statement ? [] : allergyRisk(record.document.resource))].filter(Boolean).join(" · ");
          return (
            <li key={record.id} className="list-row">
              <div>
                <button
                  type="button"
                  className="link-button"
                  aria-expanded={open === record.id}
                  onClick={() => setOpen((current) => (current === record.id ? null : record.id))}
                >
                  {summary?.title ?? "Record"}
                </button>
                {facts && (
                  <span className="hint" data-testid="row-facts">
                    {" "}
                    · {facts}
                  </span>
                )}
                {open === record.id && <ReadableRecord document={record.document} records={bundle.records} />}
              </div>
            </li>
          );
        }}
      />
    </div>
  );
}

function PdfDownload({ pdf }: { pdf: LinkPdf }) {
  const [error, setError] = useState<string>();
  return (
    <p>
      <button
        type="button"
        className="button button-secondary"
        onClick={async () => {
          try {
            const bytes = fromBase64(pdf.data);
            await downloadBlob(
              `${pdf.title.replace(/[^\p{L}\p{N} ._-]+/gu, "").trim() || "summary"}.pdf`,
              new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "application/pdf" }),
            );
          } catch (caught) {
            if (isBrowserStorageError(caught)) return setError(caught.message);
            if (!(isCryptoError(caught) && caught.code === "malformed")) throw caught;
            setError("This PDF's data is damaged and cannot be saved.");
          }
        }}
      >
        Download PDF
      </button>{" "}
      <span className="hint">{pdf.title}</span>
      {error && (
        <span className="form-error" role="alert">
          {" "}
          {error}
        </span>
      )}
    </p>
  );
}
