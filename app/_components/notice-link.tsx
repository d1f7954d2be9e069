"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import { countOf } from "@/client/format";
import { watchNotices } from "@/client/notices/notices";
import { checkKeysQuietly, useKeyChangeCount } from "@/client/notices/key-change-notices";
import { useVault } from "@/client/keystore/vault-store";

/**
 * The navigation's link to the notice centre, with the unread count kept live by the server's
 * notice stream, plus the pinned contacts whose keys changed, as this browser found once the
 * patient's vault is open (the server is never told).
 */
export function NoticeLink() {
  const [unread, setUnread] = useState(0);
  useEffect(() => watchNotices(setUnread), []);
  const vault = useVault((state) => state.vault);
  useEffect(() => {
    if (vault.status === "unlocked" && vault.role === "patient") checkKeysQuietly(vault);
  }, [vault]);
  const shown = unread + useKeyChangeCount();
  return (
    <Link href="/notices" data-testid="notice-link">
      Notices
      {shown > 0 && (
        <span className="badge" data-testid="notice-badge">
          <span aria-hidden="true">{shown}</span>
          <span className="visually-hidden">{`, ${countOf(shown, "unread notice")}`}</span>
        </span>
      )}
    </Link>
  );
}
