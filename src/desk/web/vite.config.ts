// Builds the coordinator's desk (Vue 3 + Element Plus) into dist-desk/ at the repository root.
// Everything is bundled from node_modules: no CDN, no fetch at run time (air-gapped servers).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/desk/',
  plugins: [vue()],
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../../../dist-desk', import.meta.url)),
    emptyOutDir: true,
    // Element Plus and VChart are large; they are served from the same host, never a CDN.
    chunkSizeWarningLimit: 4096,
    sourcemap: false,
  },
});
