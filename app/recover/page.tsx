import type { Metadata } from "next";
import { RecoverForm } from "./recover-form";

export const metadata: Metadata = { title: "Recover your account" };

export default function RecoverPage() {
  return (
    <section className="narrow" aria-labelledby="recover-title">
      <h1 id="recover-title">Recover your account</h1>
      <p>
        Lost every passkey? Your recovery key proves the account is yours and unlocks your encrypted vault here, in your browser. You will then create a new
        passkey. For your safety, every other signed-in device is signed out.
      </p>
      <RecoverForm />
    </section>
  );
}
