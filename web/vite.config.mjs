// The dashboard's build: `npm run build` runs it after the API types are generated (scripts/build-web).
import { defineConfig } from 'vite';

export default defineConfig({
  // Served by modelctl serve at /, assets under /assets/ (hashed names, cached for a year).
  base: '/',
  build: { outDir: '../dist/web', emptyOutDir: true, assetsDir: 'assets', sourcemap: false },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  logLevel: 'warn',
});
