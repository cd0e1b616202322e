"use client";

/** Shown when a page cannot render, e.g. the session store is unreachable: say so and offer a retry. */
export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="landing">
      <p className="brand brand--large">Todo Chat</p>
      <h1>Something went wrong on our side.</h1>
      <p className="landing__lead" role="alert">
        The page could not be loaded right now. Please try again in a moment.
      </p>
      <div className="landing__actions">
        <button type="button" className="button button--primary" onClick={reset}>
          Try again
        </button>
      </div>
    </main>
  );
}
