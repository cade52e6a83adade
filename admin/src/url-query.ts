import { useRoute, useRouter } from 'vue-router';

/**
 * For a page whose view lives in the URL, so a link reproduces it: the route, and `setQuery`,
 * which merges changes into the route's query (an empty or undefined value drops its key) in
 * place of the current history entry.
 */
export function useUrlQuery() {
  const route = useRoute();
  const router = useRouter();
  function setQuery(changes: Record<string, string | undefined>) {
    const query: Record<string, string> = {};
    for (const [key, value] of Object.entries({ ...route.query, ...changes }))
      if (typeof value === 'string' && value) query[key] = value;
    void router.replace({ query });
  }
  return { route, setQuery };
}
