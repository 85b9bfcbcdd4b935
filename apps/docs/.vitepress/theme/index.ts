import type { Theme } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import { components } from './components/index.js';
import './style.css';

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    for (const [name, component] of Object.entries(components)) app.component(name, component);
  },
} satisfies Theme;
