"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Field } from "@/app/_components/field";
import { RecoveryKeyStep } from "@/app/_components/recovery-key-step";
import { ApiError } from "@/lib/client/api";
import { defaultPasskeyName, signUp, type SignUpProgress } from "@/lib/client/sign-up";

type Role = "patient" | "doctor" | "nurse";
type Errors = Partial<Record<"displayName" | "specialty" | "organization" | "licenceNumber" | "form", string>>;

const progressText: Record<SignUpProgress, string> = {
  passkey: "Follow your browser's prompt to create a passkey…",
  keys: "Creating your encryption keys on this device…",
  saving: "Saving your account…",
};

function validate(role: Role, values: Record<string, string>): Errors {
  const errors: Errors = {};
  const required = role === "patient" ? ["displayName"] : ["displayName", "specialty", "organization", "licenceNumber"];
  for (const name of required) {
    if (!values[name]?.trim()) errors[name as keyof Errors] = "Please fill this in.";
    else if ((values[name] ?? "").length > 120) errors[name as keyof Errors] = "Please keep this under 120 characters.";
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

export function SignUpForm() {
  const router = useRouter();
  const [role, setRole] = useState<Role>("patient");
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
          directory:
            role === "patient"
              ? undefined
              : {
                  displayName: values.displayName!.trim(),
                  specialty: values.specialty!.trim(),
                  organization: values.organization!.trim(),
                  licenceNumber: values.licenceNumber!.trim(),
                },
          passkeyName: defaultPasskeyName(),
        },
        setProgress,
      );
      setResult(outcome);
    } catch (error) {
      setErrors({ form: describeFailure(error) });
    } finally {
      setProgress(null);
    }
  }

  if (result) {
    return <RecoveryKeyStep recoveryKey={result.recoveryKeyText} onConfirmed={() => {
          router.push("/home");
          // The header is rendered on the server and must learn that someone is signed in.
          router.refresh();
        }} />;
  }

  const busy = progress !== null;
  return (
    <form onSubmit={submit} noValidate aria-busy={busy} className="card">
      <fieldset className="role-picker">
        <legend>I am a</legend>
        {(["patient", "doctor", "nurse"] as const).map((option) => (
          <label key={option}>
            <input type="radio" name="role" value={option} checked={role === option} onChange={() => setRole(option)} />
            {option === "patient" ? "Patient" : option === "doctor" ? "Doctor" : "Nurse"}
          </label>
        ))}
      </fieldset>
      {role === "patient" ? (
        <Field
          id="displayName"
          label="Your name"
          hint="Stays encrypted on your devices. We never learn it; you choose later what each clinician sees."
          autoComplete="name"
          value={values.displayName ?? ""}
          onChange={set("displayName")}
          error={errors.displayName}
        />
      ) : (
        <>
          <p className="hint">Your directory entry is public so that patients can find you and share with you.</p>
          <Field id="displayName" label="Name as patients know you" autoComplete="name" value={values.displayName ?? ""} onChange={set("displayName")} error={errors.displayName} />
          <Field id="specialty" label="Specialty" value={values.specialty ?? ""} onChange={set("specialty")} error={errors.specialty} />
          <Field id="organization" label="Organization" autoComplete="organization" value={values.organization ?? ""} onChange={set("organization")} error={errors.organization} />
          <Field id="licenceNumber" label="Licence or registration number" value={values.licenceNumber ?? ""} onChange={set("licenceNumber")} error={errors.licenceNumber} />
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
