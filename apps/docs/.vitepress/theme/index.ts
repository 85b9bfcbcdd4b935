import { repairAddressHash } from '@docs/hash';
import type { Theme } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import { components } from './components/index.js';
import './style.css';

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    for (const [name, component] of Object.entries(components)) app.component(name, component);
    // Before the router reads the address: a malformed `#…` would make it log "URIError: URI malformed".
    if (typeof window !== 'undefined') repairAddressHash();
  },
} satisfies Theme;
