"use client";

import { useEffect, useState } from "react";
import { describeFailure } from "@/client/failures";
import { countOf, formatDateTime } from "@/client/format";
import { linkAccesses } from "@/client/links/make-link";
import { httpTransport } from "@/client/transport/api";

type Access = Awaited<ReturnType<typeof linkAccesses>>[number];

/**
 * Who opened one link and when, newest first: "Opened by <recipient>" (the name the recipient
 * typed into their viewer; nobody checked it) and refused passcodes, with how many opens. Read
 * again whenever `generation` changes (the page bumps it on a live notice of an open).
 */
export function LinkAccesses({ linkId, name, generation = 0 }: { linkId: string; name: string; generation?: number }) {
  const [accesses, setAccesses] = useState<Access[] | null>(null);
  const [error, setError] = useState<string>();

  useEffect(() => {
    let cancelled = false;
    linkAccesses(linkId, httpTransport).then(
      (found) => !cancelled && setAccesses(found),
      (caught: unknown) =>
        !cancelled &&
        setError(
          describeFailure(caught, {
            accessEnded: "This link no longer exists.",
            integrity: "The accesses could not be verified.",
            unreachable: "The accesses could not be loaded. Check your connection and try again.",
          }),
        ),
    );
    return () => {
      cancelled = true;
    };
  }, [linkId, generation]);

  if (error) {
    return (
      <p className="form-error" role="alert">
        {error}
      </p>
    );
  }
  if (!accesses) return <p role="status">Loading who opened “{name}”…</p>;
  const opens = accesses.filter((access) => access.outcome === "opened").length;
  return (
    <div className="link-accesses" data-testid="link-accesses">
      <p>
        {opens === 0 ? "Nobody has opened this link yet." : `Opened ${countOf(opens, "time")}.`} Recipients give their own name when they open a link: nobody
        checks it.
      </p>
      {accesses.length > 0 && (
        <ul className="list" aria-label={`Accesses to ${name}`}>
          {accesses.map((access, index) => (
            <li key={index} data-testid="link-access">
              {access.outcome === "opened" ? "Opened by " : "Wrong passcode from "}
              <strong>{access.recipient}</strong> · {formatDateTime(access.at, { seconds: true })}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
