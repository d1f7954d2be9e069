"use client";

import { useEffect, useRef, type RefObject } from "react";

/**
 * Focus for a button that goes away while what it opens is shown (a confirmation question, an
 * import plan) and comes back when that closes: when `open` turns true, focus moves to the
 * element the `inside` ref is put on (give it tabIndex={-1} if it is not a control); when `open`
 * turns false again, to the element the `opener` ref is put on. Without this, focus would drop to
 * the page's body with the button that had it. Nothing moves on the first render.
 */
export function useSwapFocus<Inside extends HTMLElement, Opener extends HTMLElement>(
  open: boolean,
): { inside: RefObject<Inside | null>; opener: RefObject<Opener | null> } {
  const inside = useRef<Inside>(null);
  const opener = useRef<Opener>(null);
  const wasOpen = useRef(false);
  useEffect(() => {
    if (open) inside.current?.focus();
    else if (wasOpen.current) opener.current?.focus();
    wasOpen.current = open;
  }, [open]);
  return { inside, opener };
}
