/** Builds the admin into client/dist; in development serves it with /graphql (HTTP and websocket) and /export proxied to the API. */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const API = process.env.SCRAPEDECK_API ?? 'http://127.0.0.1:4000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    port: 5173,
    proxy: { '/graphql': { target: API, ws: true, changeOrigin: true }, '/export': { target: API, changeOrigin: true } },
  },
});
