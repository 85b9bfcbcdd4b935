export declare function bundle(
  input: string | { code: string; resolveDir: string; conditions?: string[] },
): Promise<Uint8Array>;
export declare function measure(entry: string): Promise<{ minified: number; gzipped: number }>;
