"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import { countOf } from "@/client/format";
import { watchNotices } from "@/client/notices/notices";

/** The navigation's link to the notice centre, with the unread count kept live by the server's notice stream. */
export function NoticeLink() {
  const [unread, setUnread] = useState(0);
  useEffect(() => watchNotices(setUnread), []);
  return (
    <Link href="/notices" data-testid="notice-link">
      Notices
      {unread > 0 && (
        <span className="badge" data-testid="notice-badge">
          <span aria-hidden="true">{unread}</span>
          <span className="visually-hidden">{`, ${countOf(unread, "unread notice")}`}</span>
        </span>
      )}
    </Link>
  );
}
