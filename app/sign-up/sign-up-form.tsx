"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Field } from "@/app/_components/field";
import { RecoveryKeyStep } from "@/app/_components/recovery-key-step";
import { ApiError } from "@/client/transport/api";
import { defaultPasskeyName, signUp, type SignUpProgress } from "@/client/account/sign-up";

type Role = "patient" | "doctor" | "nurse" | "admin";
type Errors = Partial<Record<"displayName" | "specialty" | "organization" | "licenceNumber" | "enrolmentToken" | "form", string>>;

const roleLabels: Record<Role, string> = { patient: "Patient", doctor: "Doctor", nurse: "Nurse", admin: "Administrator" };
const isClinician = (role: Role) => role === "doctor" || role === "nurse";

const progressText: Record<SignUpProgress, string> = {
  passkey: "Follow your browser's prompt to create a passkey…",
  keys: "Creating your encryption keys on this device…",
  saving: "Saving your account…",
};

function validate(role: Role, values: Record<string, string>): Errors {
  const errors: Errors = {};
  const required = isClinician(role)
    ? ["displayName", "specialty", "organization", "licenceNumber"]
    : role === "admin"
      ? ["displayName", "enrolmentToken"]
      : ["displayName"];
  for (const name of required) {
    if (!values[name]?.trim()) errors[name as keyof Errors] = "Please fill this in.";
    // The token is the operator's, whatever its length; what people type is kept short.
    else if (name !== "enrolmentToken" && (values[name] ?? "").length > 120) errors[name as keyof Errors] = "Please keep this under 120 characters.";
  }
  return errors;
}

function describeFailure(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error && error.name === "NotAllowedError") {
    return "The passkey was not created (the prompt was cancelled or timed out). You can try again.";
  }
  if (error instanceof Error && error.name === "InvalidStateError") return "This authenticator already holds a passkey for this account.";
  return "Something went wrong while creating your account. Nothing was saved; please try again.";
}

/** `offerAdmin`: the page was opened for administrator enrolment (/sign-up?enrol=admin); the server still decides. */
export function SignUpForm({ offerAdmin = false }: { offerAdmin?: boolean }) {
  const router = useRouter();
  const [role, setRole] = useState<Role>(offerAdmin ? "admin" : "patient");
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Errors>({});
  const [progress, setProgress] = useState<SignUpProgress | null>(null);
  const [result, setResult] = useState<{ recoveryKeyText: string; prf: boolean } | null>(null);

  const set = (name: string) => (event: React.ChangeEvent<HTMLInputElement>) => {
    setValues((current) => ({ ...current, [name]: event.target.value }));
    setErrors((current) => ({ ...current, [name]: undefined }));
  };

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const found = validate(role, values);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    try {
      const outcome = await signUp(
        {
          role,
          displayName: values.displayName!.trim(),
          directory: isClinician(role)
            ? {
                displayName: values.displayName!.trim(),
                specialty: values.specialty!.trim(),
                organization: values.organization!.trim(),
                licenceNumber: values.licenceNumber!.trim(),
              }
            : undefined,
          passkeyName: defaultPasskeyName(),
          enrolmentToken: role === "admin" ? values.enrolmentToken!.trim() : undefined,
        },
        setProgress,
      );
      setResult(outcome);
    } catch (error) {
      if (error instanceof ApiError && error.code === "enrolment-refused") setErrors({ enrolmentToken: error.message });
      else setErrors({ form: describeFailure(error) });
    } finally {
      setProgress(null);
    }
  }

  if (result) {
    return (
      <RecoveryKeyStep
        recoveryKey={result.recoveryKeyText}
        onConfirmed={() => {
          router.push("/home");
          // The header is rendered on the server and must learn that someone is signed in.
          router.refresh();
        }}
      />
    );
  }

  const busy = progress !== null;
  return (
    <form onSubmit={submit} noValidate aria-busy={busy} className="card">
      <fieldset className="role-picker">
        <legend>I am a</legend>
        {(offerAdmin ? (["patient", "doctor", "nurse", "admin"] as const) : (["patient", "doctor", "nurse"] as const)).map((option) => (
          <label key={option}>
            <input type="radio" name="role" value={option} checked={role === option} onChange={() => setRole(option)} />
            {roleLabels[option]}
          </label>
        ))}
      </fieldset>
      {role === "patient" || role === "admin" ? (
        <>
          <Field
            id="displayName"
            label="Your name"
            hint={
              role === "patient"
                ? "Stays encrypted on your devices. We never learn it; you choose later what each clinician sees."
                : "Stays encrypted on your devices."
            }
            autoComplete="name"
            value={values.displayName ?? ""}
            onChange={set("displayName")}
            error={errors.displayName}
          />
          {role === "admin" && (
            <Field
              id="enrolmentToken"
              label="Administrator enrolment token"
              hint="The token the operator of this deployment gave you. Administrators run the service; they never see anyone's records."
              type="password"
              autoComplete="off"
              value={values.enrolmentToken ?? ""}
              onChange={set("enrolmentToken")}
              error={errors.enrolmentToken}
            />
          )}
        </>
      ) : (
        <>
          <p className="hint">Your directory entry is public so that patients can find you and share with you.</p>
          <Field
            id="displayName"
            label="Name as patients know you"
            autoComplete="name"
            value={values.displayName ?? ""}
            onChange={set("displayName")}
            error={errors.displayName}
          />
          <Field id="specialty" label="Specialty" value={values.specialty ?? ""} onChange={set("specialty")} error={errors.specialty} />
          <Field
            id="organization"
            label="Organization"
            autoComplete="organization"
            value={values.organization ?? ""}
            onChange={set("organization")}
            error={errors.organization}
          />
          <Field
            id="licenceNumber"
            label="Licence or registration number"
            value={values.licenceNumber ?? ""}
            onChange={set("licenceNumber")}
            error={errors.licenceNumber}
          />
        </>
      )}
      {errors.form && (
        <p className="form-error" role="alert">
          {errors.form}
        </p>
      )}
      <p role="status" aria-live="polite" className="progress-text">
        {progress ? progressText[progress] : ""}
      </p>
      <button type="submit" className="button" disabled={busy}>
        Create account with a passkey
      </button>
    </form>
  );
}
