"use client";

import { useState } from "react";
import { QrCode } from "@/app/_components/qr-code";
import { usePanelFocus } from "@/app/_components/use-panel-focus";
import { formatDateTime } from "@/client/format";
import type { MadeLink } from "@/client/links/make-link";

/**
 * A new link, shown once: its QR code (error correction M) and its text, with Copy and Print
 * (the print shows only the QR code, the label and the expiry). Nothing keeps the link: once
 * this panel is closed, only a new link can be shown (the key is in the link alone).
 */
export function MadeLinkPanel({ made, onDone }: { made: MadeLink; onDone: () => void }) {
  const heading = usePanelFocus();
  const [copied, setCopied] = useState<string>();
  const { label } = made;
  const expires = formatDateTime(made.link.expiresAt);

  async function copy() {
    try {
      await navigator.clipboard.writeText(made.text);
      setCopied("The link is copied.");
    } catch (caught) {
      // A browser that refuses the clipboard (no permission, not focused) throws a DOMException; anything else is a bug.
      if (!(caught instanceof DOMException)) throw caught;
      setCopied("This browser did not allow copying: select the link and copy it yourself.");
    }
  }

  return (
    <section className="card made-link" aria-labelledby="made-link-title" data-testid="made-link">
      <h2 id="made-link-title" ref={heading} tabIndex={-1} className="panel-title">
        Your link is ready
      </h2>
      <p>
        <strong>This is the only time it is shown.</strong> Copy it, print it or let the recipient scan it now: Health Safe Cloud cannot show it again, since
        the key that opens it is in the link alone.
      </p>
      <div className="made-link-print">
        <QrCode text={made.text} label={`QR code of the link “${label}”`} size={260} />
        <p data-testid="made-link-label">
          <strong>{label}</strong>
        </p>
        <p data-testid="made-link-expiry">Expires {expires}</p>
        {made.link.flag.includes("P") && <p>Needs the passcode you chose.</p>}
      </div>
      <label htmlFor="made-link-text">The link</label>
      <textarea
        id="made-link-text"
        className="made-link-text"
        readOnly
        rows={4}
        value={made.text}
        data-testid="made-link-text"
        onFocus={(event) => event.target.select()}
      />
      <div className="actions">
        <button type="button" className="button" onClick={copy}>
          Copy the link
        </button>
        <button type="button" className="button button-secondary" onClick={() => window.print()}>
          Print
        </button>
        <button type="button" className="button button-secondary" onClick={onDone}>
          Done
        </button>
      </div>
      <p role="status" aria-live="polite">
        {copied}
      </p>
    </section>
  );
}
