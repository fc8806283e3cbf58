import { onMounted, onUnmounted, ref, shallowRef, watch, type Ref, type ShallowRef } from 'vue';
import type { DeskEventType } from '../../api.ts';
import { onDeskEvent, session, showError } from './api.ts';

/**
 * A page's data: loaded on mount, again when the selected year changes, and again (quietly, keeping
 * what is on screen) when the server reports a change of one of `liveTypes` over SSE.
 */
export function usePageData<T>(load: () => Promise<T>, liveTypes: DeskEventType[] = []): { data: ShallowRef<T | null>; loading: Ref<boolean>; reload: () => Promise<void> } {
  const data = shallowRef<T | null>(null);
  const loading = ref(false);
  let seq = 0;
  const reload = async (): Promise<void> => {
    const mine = ++seq;
    loading.value = data.value === null;
    try {
      const value = await load();
      if (mine === seq) data.value = value;
    } catch (error) {
      showError(error);
    } finally {
      if (mine === seq) loading.value = false;
    }
  };
  let off: (() => void) | null = null;
  onMounted(() => {
    void reload();
    if (liveTypes.length)
      off = onDeskEvent((e) => {
        if (liveTypes.includes(e.type)) void reload();
      });
  });
  onUnmounted(() => off?.());
  watch(
    () => session.year,
    () => void reload(),
  );
  return { data, loading, reload };
}
