"use client";

import type { Ref } from "react";
import { Field } from "@/app/_components/field";
import { contactDetailLimits } from "@/client/sharing/contacts";

/**
 * The name a patient calls an emergency contact and how to reach them: kept encrypted in the
 * vault, never sent in the clear. `withHints` says where each shows (the form naming a contact).
 */
export function ContactDetailFields({
  idPrefix,
  name,
  onName,
  reach,
  onReach,
  withHints = false,
  nameRef,
}: {
  idPrefix: string;
  name: string;
  onName: (name: string) => void;
  reach: string;
  onReach: (reach: string) => void;
  withHints?: boolean;
  nameRef?: Ref<HTMLInputElement>;
}) {
  return (
    <>
      <Field
        id={`${idPrefix}-name`}
        label="Your contact's name"
        hint={withHints ? "Only you see it: it is kept encrypted in your vault." : undefined}
        ref={nameRef}
        value={name}
        onChange={(event) => onName(event.target.value)}
        maxLength={contactDetailLimits.name}
        autoComplete="off"
        required
      />
      <Field
        id={`${idPrefix}-reach`}
        label="How to reach them (optional)"
        hint={withHints ? "A phone number, printed on your emergency card if you choose." : undefined}
        value={reach}
        onChange={(event) => onReach(event.target.value)}
        maxLength={contactDetailLimits.reach}
        autoComplete="off"
      />
    </>
  );
}
