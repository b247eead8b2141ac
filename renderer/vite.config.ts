import { cpSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const here = fileURLToPath(new URL('.', import.meta.url));

// pdf.js renders the 14 standard PDF fonts from these files; they ship with pdfjs-dist.
function copyPdfjsStandardFonts(): Plugin {
  return {
    name: 'copy-pdfjs-standard-fonts',
    apply: 'build',
    writeBundle(options) {
      cpSync(fileURLToPath(new URL('../node_modules/pdfjs-dist/standard_fonts', import.meta.url)), `${options.dir}/standard_fonts`, { recursive: true });
    },
  };
}

export default defineConfig({
  root: here,
  base: './',
  plugins: [react(), copyPdfjsStandardFonts()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome120',
    chunkSizeWarningLimit: 2000,
  },
});
