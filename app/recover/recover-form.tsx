"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Field } from "@/app/_components/field";
import { PasskeyNamePrompt } from "@/app/_components/passkey-name-prompt";
import { ApiError } from "@/client/transport/api";
import { recoverAccount, type RecoveryProgress } from "@/client/account/recovery";

const progressText: Record<RecoveryProgress, string> = {
  proving: "Checking your recovery key…",
  passkey: "Follow your browser's prompt to create a new passkey…",
  saving: "Saving your new passkey…",
};

function describeFailure(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error && error.name === "CryptoError" && (error as { code?: string }).code === "checksum-mismatch") {
    return "That recovery key has a typo: one of its characters is wrong. Check it against the copy you saved.";
  }
  if (error instanceof Error && error.name === "CryptoError") return "That is not a recovery key. It has 56 letters and digits in groups of four.";
  if (error instanceof Error && error.name === "NotAllowedError") return "The new passkey was not created. You can try again.";
  return "Your account could not be recovered. Please try again.";
}

export function RecoverForm() {
  const router = useRouter();
  const [value, setValue] = useState("");
  const [error, setError] = useState<string>();
  const [progress, setProgress] = useState<RecoveryProgress | null>(null);
  const [newPasskey, setNewPasskey] = useState<{ id: string; name: string } | null>(null);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setError(undefined);
    try {
      const { passkey } = await recoverAccount(value, setProgress);
      setValue("");
      setNewPasskey(passkey);
    } catch (caught) {
      setError(describeFailure(caught));
    } finally {
      setProgress(null);
    }
  }

  if (newPasskey) {
    return (
      <PasskeyNamePrompt
        passkeyId={newPasskey.id}
        proposedName={newPasskey.name}
        onDone={() => {
          router.push("/home");
          router.refresh();
        }}
      />
    );
  }
  return (
    <form onSubmit={submit} className="card" noValidate aria-busy={progress !== null}>
      <Field
        id="recovery-key"
        label="Recovery key"
        hint="The key you saved when you created your account. Dashes, spaces and letter case do not matter."
        autoComplete="off"
        spellCheck={false}
        value={value}
        onChange={(event) => setValue(event.target.value)}
        error={error}
      />
      <p role="status" aria-live="polite" className="progress-text">
        {progress ? progressText[progress] : ""}
      </p>
      <button type="submit" className="button" disabled={progress !== null || value.trim().length === 0}>
        Recover my account
      </button>
    </form>
  );
}
