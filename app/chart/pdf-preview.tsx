"use client";

import { useEffect, useRef, useState } from "react";

/**
 * pdf.js's own refusals of a document it cannot read or render (InvalidPDFException,
 * PasswordException, UnknownErrorException, FormatError, a cancelled render, a worker that
 * failed): the preview says it failed. Anything else is a bug here.
 */
const isPdfFailure = (error: unknown) =>
  error instanceof Error && /(Exception|FormatError|Error)$/.test(error.name) && error.name !== "TypeError" && error.name !== "ReferenceError";

const pagesPerStep = 10;

/**
 * Draws a decrypted PDF onto canvases with pdf.js in a worker. The browser's own PDF
 * viewer would run the document's scripts and forms in this origin's process; pdf.js
 * without its scripting sandbox and annotation layer only paints pixels: no scripts,
 * no links, no forms, no eval.
 */
export function PdfPreview({ blob, name }: { blob: Blob; name: string }) {
  const container = useRef<HTMLDivElement>(null);
  const [pageCount, setPageCount] = useState(0);
  const [shown, setShown] = useState(pagesPerStep);
  const [status, setStatus] = useState<"loading" | "ready" | "failed">("loading");
  const documentRef = useRef<import("pdfjs-dist").PDFDocumentProxy | null>(null);

  useEffect(() => {
    let cancelled = false;
    let worker: Worker | null = null;
    (async () => {
      try {
        const pdfjs = await import("pdfjs-dist");
        worker = new Worker(new URL("pdfjs-dist/build/pdf.worker.min.mjs", import.meta.url), { type: "module" });
        pdfjs.GlobalWorkerOptions.workerPort = worker;
        const loaded = await pdfjs.getDocument({
          data: new Uint8Array(await blob.arrayBuffer()),
          isEvalSupported: false,
          enableXfa: false,
          stopAtErrors: false,
        }).promise;
        if (cancelled) return void loaded.destroy();
        documentRef.current = loaded;
        setPageCount(loaded.numPages);
        setStatus("ready");
      } catch (error) {
        if (!isPdfFailure(error)) throw error;
        if (!cancelled) setStatus("failed");
      }
    })();
    return () => {
      cancelled = true;
      void documentRef.current?.destroy();
      documentRef.current = null;
      worker?.terminate();
    };
  }, [blob]);

  useEffect(() => {
    const pdf = documentRef.current;
    const target = container.current;
    if (status !== "ready" || !pdf || !target) return;
    let cancelled = false;
    (async () => {
      for (let number = target.childElementCount + 1; number <= Math.min(shown, pageCount) && !cancelled; number += 1) {
        const page = await pdf.getPage(number);
        const viewport = page.getViewport({ scale: Math.min(2, (target.clientWidth || 800) / page.getViewport({ scale: 1 }).width) });
        const canvas = document.createElement("canvas");
        canvas.width = Math.floor(viewport.width);
        canvas.height = Math.floor(viewport.height);
        canvas.className = "pdf-page";
        canvas.setAttribute("role", "img");
        canvas.setAttribute("aria-label", `Page ${number} of ${pageCount} of ${name}`);
        target.append(canvas);
        await page.render({ canvas, viewport }).promise;
      }
    })().catch((error: unknown) => {
      if (!isPdfFailure(error)) throw error;
      if (!cancelled) setStatus("failed");
    });
    return () => {
      cancelled = true;
    };
  }, [status, shown, pageCount, name]);

  if (status === "failed") {
    return (
      <p className="form-error" role="alert">
        This PDF could not be displayed. Download it to open it in another program.
      </p>
    );
  }
  return (
    <section className="pdf-preview" aria-label={`Preview of ${name}`} aria-busy={status === "loading"}>
      {status === "loading" && <p>Preparing the preview…</p>}
      {status === "ready" && <p className="muted">{pageCount === 1 ? "1 page" : `${pageCount} pages`}, shown without running anything the file contains.</p>}
      <div ref={container} className="pdf-pages" />
      {status === "ready" && shown < pageCount && (
        <button type="button" className="button button-small button-secondary" onClick={() => setShown((count) => count + pagesPerStep)}>
          Show more pages
        </button>
      )}
    </section>
  );
}
