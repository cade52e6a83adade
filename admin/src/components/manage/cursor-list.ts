import { type Ref, ref } from 'vue';
import { request } from '../../request';

/**
 * A list the API answers in cursor pages (`{items, nextCursor}`, perhaps with more fields, kept in
 * `page`) shown with 加载更多: `load()` reads the first page of `query()` again, `load(true)`
 * appends the next one. `loading` is busy for a first page, `more` for a further one; `load`
 * answers whether the page came.
 */
export function useCursorList<T, Extra extends object = object>(
  path: string | (() => string),
  query: () => Record<string, string | undefined>,
) {
  type Page = { items: T[]; nextCursor: string | null } & Extra;
  const items = ref([]) as Ref<T[]>;
  const cursor = ref<string | null>(null);
  const page = ref(null) as Ref<Page | null>;
  const loading = ref(false);
  const more = ref(false);

  async function load(append = false): Promise<boolean> {
    const data = await request<Page>(
      'GET',
      typeof path === 'string' ? path : path(),
      { ...query(), cursor: append ? (cursor.value ?? undefined) : undefined },
      { busy: append ? more : loading },
    );
    if (!data) return false;
    items.value = append ? [...items.value, ...data.items] : data.items;
    cursor.value = data.nextCursor;
    page.value = data;
    return true;
  }

  /** Forgets what was shown (before the list is opened for something else). */
  function reset() {
    items.value = [];
    cursor.value = null;
    page.value = null;
  }

  return { items, cursor, page, loading, more, load, reset };
}
