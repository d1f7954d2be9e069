/** The polite status line and the error alert that forms and long tasks report through. */
export function StatusLines({ message, error, className }: { message?: string; error?: string; className?: string }) {
  return (
    <>
      <p role="status" aria-live="polite" className={className}>
        {message}
      </p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
