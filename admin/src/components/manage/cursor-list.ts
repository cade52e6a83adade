import { type Ref, ref } from 'vue';
import { request } from '../../request';

/**
 * A list the API answers in cursor pages (`{items, nextCursor}`) shown with 加载更多: `load()`
 * reads the first page of `query()` again, `load(true)` appends the next one. `loading` is busy
 * for a first page, `more` for a further one; `load` answers whether the page came.
 */
export function useCursorList<T>(path: string, query: () => Record<string, string | undefined>) {
  const items = ref([]) as Ref<T[]>;
  const cursor = ref<string | null>(null);
  const loading = ref(false);
  const more = ref(false);

  async function load(append = false): Promise<boolean> {
    const data = await request<{ items: T[]; nextCursor: string | null }>(
      'GET',
      path,
      { ...query(), cursor: append ? (cursor.value ?? undefined) : undefined },
      { busy: append ? more : loading },
    );
    if (!data) return false;
    items.value = append ? [...items.value, ...data.items] : data.items;
    cursor.value = data.nextCursor;
    return true;
  }

  return { items, cursor, loading, more, load };
}
