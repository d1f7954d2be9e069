import Link from "next/link";

export default function NotFound() {
  return (
    <section className="narrow" aria-labelledby="not-found-title">
      <h1 id="not-found-title">Page not found</h1>
      <p>
        There is nothing at this address. <Link href="/">Go to the home page</Link>.
      </p>
    </section>
  );
}
