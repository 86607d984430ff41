import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run dev` proxies the API to a running switchboard (default :8000, override with SB_SERVER).
const target = process.env.SB_SERVER || 'http://127.0.0.1:8000';

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    assetsInlineLimit: 4096,
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: {
      '/socket.io': { target, ws: true },
      '/api': { target },
    },
  },
});
