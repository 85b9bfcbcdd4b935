import { onMounted, type Ref, ref, watch } from 'vue';
import { encodeState, readState, type Schema, validate } from './state.js';

/**
 * A playground's state, restored from `#state=…` when the page opens
 * (validated; a bad one leaves the defaults and sets `error`) and written
 * back to the URL as it changes while it passes the same schema, so the
 * address is always a shareable link.
 */
export function useUrlState<T extends object>(schema: () => Schema, defaults: T) {
  const state = ref({ ...defaults }) as Ref<T>;
  const error = ref<string | undefined>(undefined);
  const restored = ref(false);
  const ready = ref(false);
  onMounted(() => {
    const result = readState(window.location.hash, schema(), defaults);
    if (result?.ok) {
      state.value = result.value;
      restored.value = true;
    } else if (result) error.value = `The shared state in this link was not used: ${result.error}.`;
    ready.value = true;
    watch(
      state,
      (value) => {
        // The address only ever holds a link that restores: a field the schema refuses is shown
        // as an error by the page and leaves the last valid link in place.
        if (!validate(value, schema(), defaults).ok) return;
        const url = `${window.location.pathname}${window.location.search}${encodeState(value)}`;
        window.history.replaceState(window.history.state, '', url);
      },
      { deep: true },
    );
  });
  const link = () => window.location.href;
  return { state, error, restored, ready, link };
}
