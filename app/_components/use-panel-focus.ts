"use client";

import { useEffect, useRef, type RefObject } from "react";

/**
 * Focus for a panel that opens in the page (a record, a form, a list of versions): when
 * the panel mounts, focus moves to the element the returned ref is put on (its heading,
 * which needs tabIndex={-1}), so keyboard and screen-reader users land in it and the
 * browser scrolls it into view; when the panel unmounts (closed by its button, after a
 * save), focus goes back to what opened it, so the person is where they were.
 *
 * `opener` names that control explicitly. Without it, the element focused when the panel
 * mounted is used; Safari does not focus a button on click, so callers that can should
 * pass the button. Nothing is focused on unmount if the opener left the page.
 */
export function usePanelFocus<T extends HTMLElement = HTMLHeadingElement>(opener?: RefObject<HTMLElement | null>): RefObject<T | null> {
  const target = useRef<T>(null);
  useEffect(() => {
    const active = document.activeElement;
    const returnTo = opener?.current ?? (active instanceof HTMLElement && active !== document.body ? active : null);
    target.current?.focus();
    return () => {
      if (returnTo?.isConnected) returnTo.focus();
    };
  }, [opener]);
  return target;
}
