// The tests serve the built site exactly as `pnpm preview` does: clean URLs and the
// cross-origin isolation headers (scripts/serve.mjs), so they see what a reader sees.
export { serveStatic } from '../scripts/serve.mjs';
