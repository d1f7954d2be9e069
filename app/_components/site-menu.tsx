"use client";

import { usePathname } from "next/navigation";
import { useEffect, useId, useRef, useState, type ReactNode } from "react";

/**
 * The site's navigation: a plain row of links on wide screens, and on narrow ones (CSS,
 * `.site-menu` in globals.css) a disclosure behind a "Menu" button. The button carries
 * aria-expanded and aria-controls; Escape, following a link or a click outside closes the
 * menu, and Escape returns focus to the button. `children` are the nav's links and buttons;
 * with `collapsible` false (a short nav, such as the signed-out one) it is never hidden.
 */
export function SiteMenu({ label, collapsible, children }: { label: string; collapsible: boolean; children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const navId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  const pathname = usePathname();

  // A new page closes the menu, however it was reached (a link in it, the back button).
  const [shownFor, setShownFor] = useState(pathname);
  if (shownFor !== pathname) {
    setShownFor(pathname);
    setOpen(false);
  }

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      setOpen(false);
      buttonRef.current?.focus();
    };
    const onPointer = (event: PointerEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("pointerdown", onPointer);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("pointerdown", onPointer);
    };
  }, [open]);

  if (!collapsible) {
    return (
      <nav aria-label={label} className="site-nav">
        {children}
      </nav>
    );
  }
  return (
    <div className="site-menu" data-open={open} ref={rootRef}>
      <button
        type="button"
        ref={buttonRef}
        className="button button-small button-secondary site-menu-button"
        aria-expanded={open}
        aria-controls={navId}
        onClick={() => setOpen((was) => !was)}
      >
        Menu
      </button>
      <nav
        id={navId}
        aria-label={label}
        className="site-nav"
        // A link to the page already shown changes no path, yet the person chose where to be.
        onClick={(event) => {
          if ((event.target as Element).closest("a")) setOpen(false);
        }}
      >
        {children}
      </nav>
    </div>
  );
}
