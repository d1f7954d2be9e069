"use client";

import { useCallback, useEffect, useRef, useState } from "react";

/** What an action ended in: a result, or an error in plain words. */
export interface Outcome {
  text: string;
  error: boolean;
  /** Tells one outcome from the same words said again, so focus moves each time. */
  serial: number;
}

/** The outcome of a form's or a row's actions; render `<OutcomeLines outcome={outcome} />` where it belongs. */
export function useOutcome() {
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const serial = useRef(0);
  const said = useCallback((text: string) => setOutcome({ text, error: false, serial: (serial.current += 1) }), []);
  const failed = useCallback((text: string) => setOutcome({ text, error: true, serial: (serial.current += 1) }), []);
  const clear = useCallback(() => setOutcome(null), []);
  return { outcome, said, failed, clear };
}

/**
 * An outcome, with focus moved onto it so keyboard and screen-reader users hear it where they
 * are: results in a polite status line, errors in an alert. Both lines are always in the page,
 * so assistive technology hears what appears in them.
 */
export function OutcomeLines({ outcome, testId }: { outcome: Outcome | null; testId?: string }) {
  const status = useRef<HTMLParagraphElement>(null);
  const alert = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (outcome) (outcome.error ? alert : status).current?.focus();
  }, [outcome]);
  return (
    <>
      <p role="status" ref={status} tabIndex={-1} data-testid={testId}>
        {outcome && !outcome.error ? outcome.text : null}
      </p>
      <p role="alert" ref={alert} tabIndex={-1} className="form-error" data-testid={testId ? `${testId}-error` : undefined}>
        {outcome?.error ? outcome.text : null}
      </p>
    </>
  );
}
