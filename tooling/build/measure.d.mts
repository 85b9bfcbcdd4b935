export declare function bundle(
  input: string | { code: string; resolveDir: string; conditions?: string[] },
  options?: { platform?: 'neutral' | 'node' },
): Promise<Uint8Array>;
export declare function measure(entry: string): Promise<{ minified: number; gzipped: number }>;
