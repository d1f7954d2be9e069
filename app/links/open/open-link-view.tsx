"use client";

import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { Field } from "@/app/_components/field";
import { StatusLines } from "@/app/_components/status-lines";
import type { ShlinkPayload } from "@/crypto";
import { shlLimits } from "@/contract/links";
import { cardLabel } from "@/client/emergency-card/card-link";
import { formatDateTime } from "@/client/format";
import { readLinkContent, type LinkContent } from "@/client/links/open-content";
import { isShlOpenError } from "@/client/links/open-errors";
import { needsPasscode, openLinkFiles, readLink } from "@/client/links/open-fetch";
import { LinkContents } from "./link-contents";
import { LinkImport } from "./link-import";
import { QrScan } from "./qr-scan";

export type Viewer = "anyone" | "patient" | "clinician";

/**
 * What a wrong passcode's 401 says of the attempts left: an ordinary link's few are counted
 * down; a long-term link's (the emergency card's, thousands, out of reach) are not, as it is
 * slowed rather than stopped (contract/links.ts `longTermGuesses`).
 */
function attemptsWords(remaining: number | undefined): string {
  if (remaining === undefined) return "";
  if (remaining > shlLimits.passcodeAttempts)
    return ` After ${shlLimits.longTermGuesses.perWindow} wrong passcodes in a day, this link waits a day before it takes another.`;
  return ` ${remaining === 1 ? "1 attempt is" : `${remaining} attempts are`} left before the link is disabled.`;
}

const linkFetch = (url: string, init: RequestInit) => fetch(url, init);

/**
 * Opens a SMART Health Link in this browser: from the page's fragment (`/links/open#shlink:/…`),
 * pasted text, or a QR code (camera or photo). Asks who is opening (sent to the link's server,
 * kept in this page only) and the passcode when the link has one, then fetches, decrypts and
 * shows the records with the chart's views. Nothing passes through this app's server.
 */
export function OpenLinkView({ viewer }: { viewer: Viewer }) {
  const [text, setText] = useState("");
  const [payload, setPayload] = useState<ShlinkPayload | null>(null);
  const [linkError, setLinkError] = useState<string>();
  const [recipient, setRecipient] = useState("");
  const [passcode, setPasscode] = useState("");
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string>();
  const [openError, setOpenError] = useState<string>();
  const [contents, setContents] = useState<LinkContent[] | null>(null);
  // Opened from a QR code or a link (`/links/open#shlink:/…`): that link's form leads the page, the paste panel follows.
  const [fromAddress, setFromAddress] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const contentsHeading = useRef<HTMLHeadingElement>(null);

  async function takeLinkText(linkText: string) {
    setContents(null);
    setOpenError(undefined);
    // The last link's "Opened: …" must not stand under a new link that is not opened yet.
    setStatus(undefined);
    setPasscode("");
    try {
      setPayload(await readLink(linkText));
      setLinkError(undefined);
    } catch (error) {
      if (!isShlOpenError(error)) throw error;
      setPayload(null);
      setLinkError(error.message);
    }
  }

  useEffect(() => {
    const fromFragment = () => {
      if (!window.location.hash.includes("shlink:/")) return;
      setFromAddress(true);
      void takeLinkText(window.location.href);
    };
    fromFragment();
    window.addEventListener("hashchange", fromFragment);
    return () => window.removeEventListener("hashchange", fromFragment);
  }, []);

  useEffect(() => {
    if (payload) heading.current?.focus();
  }, [payload]);

  // Once opened, the reader is taken to the records (their heading), not left on the button above them.
  useEffect(() => {
    if (contents) contentsHeading.current?.focus();
  }, [contents]);

  async function open() {
    if (!payload || busy) return;
    setBusy(true);
    setOpenError(undefined);
    setContents(null);
    setStatus("Opening the link…");
    try {
      const files = await openLinkFiles(payload, { recipient, passcode: needsPasscode(payload) ? passcode : undefined }, linkFetch);
      setStatus("Checking what the link holds…");
      const read = await readLinkContent(files, linkFetch);
      setContents(read);
      setStatus(`Opened: ${read.length === 1 ? "1 file" : `${read.length} files`}.`);
    } catch (error) {
      if (!isShlOpenError(error)) throw error;
      setStatus(undefined);
      setOpenError(error.code === "wrong-passcode" ? `${error.message}${attemptsWords(error.remainingAttempts)}` : error.message);
    } finally {
      setBusy(false);
    }
  }

  const source = (
    <section className="card" aria-labelledby="link-source-title">
      <h2 id="link-source-title">{fromAddress && payload ? "Open another link" : "The link"}</h2>
      <p className="hint">
        Paste a SMART Health Link (it starts with <code>shlink:/</code> or contains <code>#shlink:/</code>), or scan its QR code. The records are fetched and
        decrypted here, in your browser.
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void takeLinkText(text);
        }}
      >
        <label htmlFor="link-text">Link text</label>
        <textarea id="link-text" rows={3} value={text} onChange={(event) => setText(event.target.value)} spellCheck={false} autoComplete="off" />
        <div className="actions">
          <button type="submit" className="button" disabled={text.trim() === ""}>
            Read link
          </button>
        </div>
      </form>
      <QrScan
        onText={(scanned) => {
          setText(scanned);
          void takeLinkText(scanned);
        }}
      />
      {linkError && (
        <p className="form-error" role="alert">
          {linkError}
        </p>
      )}
    </section>
  );

  return (
    <>
      {!(fromAddress && payload) && source}
      {payload && (
        <section className="card" aria-labelledby="link-open-title">
          <h2 id="link-open-title" ref={heading} tabIndex={-1}>
            {payload.label ? `“${payload.label}”` : "A shared link"}
          </h2>
          <p className="hint">
            From {new URL(payload.url).host}
            {payload.exp !== undefined ? `; expires ${formatDateTime(payload.exp * 1000)}` : "; no expiry given"}.
          </p>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              void open();
            }}
          >
            <Field
              id="link-recipient"
              label="Your name or clinic"
              hint="Required. The person who shared this link sees it in their history."
              required
              maxLength={200}
              value={recipient}
              onChange={(event) => setRecipient(event.target.value)}
              autoComplete="organization"
            />
            {needsPasscode(payload) && (
              <Field
                id="link-passcode"
                label="Passcode"
                type="password"
                required
                autoComplete="off"
                value={passcode}
                onChange={(event) => setPasscode(event.target.value)}
              />
            )}
            <div className="actions">
              {/* aria-disabled, not disabled: a disabled button drops keyboard focus to the page's body while the link opens. */}
              <button type="submit" className="button" aria-disabled={busy}>
                Open link
              </button>
            </div>
          </form>
          <StatusLines message={status} error={openError} className="progress-text" />
        </section>
      )}

      {contents && <LinkContents contents={contents} headingRef={contentsHeading} emergency={payload?.label === cardLabel} />}
      {contents && viewer === "patient" && <LinkImport contents={contents} />}
      {contents && viewer === "clinician" && (
        <p className="card">
          <Link href="/shared" target="_blank" rel="noopener">
            View beside your shared charts
          </Link>{" "}
          <span className="hint">(opens Shared with me in a new tab; these records are not added to anyone&apos;s chart)</span>
        </p>
      )}
      {fromAddress && payload && source}
    </>
  );
}
