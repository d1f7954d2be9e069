"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Field } from "@/app/_components/field";
import { isCryptoError } from "@/crypto";
import { isIntegrityError } from "@/client/integrity";
import { RecoveryKeyRefusedError } from "@/client/keystore/unlock";
import { ApiError } from "@/client/transport/api";
import { isRollback } from "@/client/keystore/rollback-guard";
import { unlockWithRecoveryKey } from "@/client/account/sign-in";

export function UnlockForm() {
  const router = useRouter();
  const [value, setValue] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await unlockWithRecoveryKey(value);
      router.push("/home");
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 401) router.replace("/sign-in");
      else if (isRollback(caught)) setError(caught.message);
      else if (isCryptoError(caught) && caught.code === "checksum-mismatch") {
        setError("That recovery key has a typo: one of its characters is wrong. Check it against the copy you saved.");
      } else if (caught instanceof RecoveryKeyRefusedError || isCryptoError(caught) || isIntegrityError(caught)) {
        setError("That recovery key does not unlock this account. Check it and try again.");
      } else if (caught instanceof ApiError) {
        setError(caught.message);
      } else {
        throw caught;
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="card" noValidate aria-busy={busy}>
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
      <button type="submit" className="button" disabled={busy || value.trim().length === 0}>
        Unlock
      </button>
    </form>
  );
}
