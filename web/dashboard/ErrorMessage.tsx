import type { CombinedError } from 'urql';

/** An API error as a reader needs it: the message, and each problem with the field it is about. */
export function ErrorMessage({ error }: { error: CombinedError | undefined }) {
  if (!error) return null;
  const unauthenticated = error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
  return (
    <div className="error" role="alert">
      {unauthenticated ? (
        <p>This meterql requires an API key: set one with “API key” at the top right.</p>
      ) : error.networkError ? (
        <p>meterql could not be reached: {error.networkError.message}</p>
      ) : (
        error.graphQLErrors.map((e, i) => {
          const problems = (e.extensions?.problems ?? []) as { path: (string | number)[]; message: string }[];
          return (
            <div key={i}>
              <p>{problems.length > 0 ? 'The API refused the query:' : e.message}</p>
              {problems.length > 0 && (
                <ul>
                  {problems.map((p, j) => (
                    <li key={j}>
                      <code>{p.path.join('.')}</code>: {p.message}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          );
        })
      )}
    </div>
  );
}
