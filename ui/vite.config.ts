import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

// Tauri loads the built files from ui/dist (tauri.conf.json: frontendDist) and, in development,
// the dev server on port 1420 (devUrl). In a plain browser (scripts/dev-browser.sh), `/core` is
// `satu serve --dev` at SATU_CORE_URL (src/backend/http.ts); its events stream through as sent.
declare const process: { env: Record<string, string | undefined> };
const core = process.env.SATU_CORE_URL;

export default defineConfig(({ mode }) => ({
  plugins: [svelte()],
  base: './',
  clearScreen: false,
  envPrefix: ['VITE_', 'TAURI_ENV_'],
  server: {
    host: '127.0.0.1',
    port: 1420,
    strictPort: true,
    proxy: core
      ? {
          '/core': {
            target: core,
            // The core answers only to its own loopback Host (no DNS rebinding).
            changeOrigin: true,
            rewrite: (path) => path.replace(/^\/core/, ''),
          },
        }
      : undefined,
  },
  build: {
    // WebKitGTK 2.4x (Linux), WKWebView and WebView2 all run ES2021.
    target: 'es2021',
    outDir: 'dist',
    emptyOutDir: true,
  },
  // Testing-library must get Svelte's browser build, not the server one.
  resolve: mode === 'test' ? { conditions: ['browser'] } : undefined,
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
  },
}));
