import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importLayers from './eslint-rules/import-layers.mjs';
import reactHooks from 'eslint-plugin-react-hooks';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { console: 'readonly', process: 'readonly' } },
    plugins: { local: { rules: { 'import-layers': importLayers } } },
    rules: {
      'local/import-layers': 'error',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-undef': 'off',
    },
  },
  // The rules of hooks in the renderer (issue 12): the plugin's whole recommended set, the React
  // Compiler rules included (refs, set-state-in-effect, purity, immutability, ...).
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs['recommended-latest'].rules },
  },
  // Still to be brought under two of those rules: the top bar's status poll (setState through an
  // effect's first call) and the viewer (state reset when the document changes; the canvas height
  // read from its ref while rendering). Off for these two files only, on for everything else.
  {
    files: ['renderer/src/app.tsx', 'renderer/src/components/pdf-viewer.tsx'],
    rules: { 'react-hooks/set-state-in-effect': 'off', 'react-hooks/refs': 'off' },
  },
);
