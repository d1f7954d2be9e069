"use client";

import "./links.css";
import { useCallback, useEffect, useState } from "react";
import { VaultGate } from "@/app/_components/vault-gate";
import { describeFailure } from "@/client/failures";
import { unlockedVault } from "@/client/keystore/vault-store";
import { listLinks, type ListedLink, type MadeLink } from "@/client/links/make-link";
import { httpTransport } from "@/client/transport/api";
import { LinksList } from "./links-list";
import { MadeLinkPanel } from "./made-link";
import { MakeLinkForm } from "./make-link-form";

/**
 * Share by link: the form that makes a SMART Health Link, the link and its QR code shown once
 * when made, and the person's links (live ones first) with their accesses and Revoke.
 */
function Links() {
  const [made, setMade] = useState<MadeLink | null>(null);
  const [madeOne, setMadeOne] = useState(false);
  const [links, setLinks] = useState<ListedLink[] | null>(null);
  const [listError, setListError] = useState<string>();

  const refresh = useCallback(async () => {
    try {
      setLinks(await listLinks(unlockedVault(), httpTransport));
      setListError(undefined);
    } catch (caught) {
      setListError(
        describeFailure(caught, {
          accessEnded: "Your links could not be loaded. Reload the page.",
          integrity: "Your links could not be verified. Reload the page; if this stays, contact support.",
          unreachable: "Your links could not be loaded. Check your connection and reload the page.",
        }),
      );
    }
  }, []);

  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void refresh();
  }, [refresh]);

  return (
    <div className="links-view">
      {made ? (
        <MadeLinkPanel
          made={made}
          onDone={() => {
            setMade(null);
            setMadeOne(true);
          }}
        />
      ) : (
        <MakeLinkForm
          focusHeading={madeOne}
          onMade={(link) => {
            setMade(link);
            void refresh();
          }}
        />
      )}
      <LinksList links={links} error={listError} onChanged={refresh} />
    </div>
  );
}

export function LinksView() {
  return (
    <VaultGate>
      <Links />
    </VaultGate>
  );
}
