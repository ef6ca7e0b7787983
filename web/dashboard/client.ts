import { Client, cacheExchange, fetchExchange } from 'urql';

const KEY = 'meterql:apiKey';

/** The API key the user gave, for this browser tab only (never in the URL, never in localStorage). */
export function apiKey(): string | null {
  return sessionStorage.getItem(KEY);
}

export function setApiKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
}

/** meterql's API on the server that serves this page, as any GraphQL client reaches it. */
export function createApiClient(): Client {
  return new Client({
    url: '/graphql',
    exchanges: [cacheExchange, fetchExchange],
    // POST: Apollo refuses simple GET requests (CSRF prevention).
    preferGetMethod: false,
    fetchOptions: (): RequestInit => {
      const key = apiKey();
      const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
      return { headers };
    },
  });
}
