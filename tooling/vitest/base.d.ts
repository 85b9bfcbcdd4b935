import type { ViteUserConfig } from 'vitest/config';

export declare const SOURCE_CONDITION: '@convkit/source';
export declare const baseConfig: ViteUserConfig;
export default baseConfig;
