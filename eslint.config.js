// Lint: typescript-eslint's recommended rules plus the import boundaries of
// ../shared/ARCHITECTURE.md — components talk through the API and share only common/.
import tseslint from 'typescript-eslint';

const components = ['apiserver', 'scheduler', 'controllers', 'nodeagent', 'cli', 'dns', 'registryauth', 'e2e', 'bench'];

function onlyCommon(self) {
  const others = components.filter((c) => c !== self);
  return {
    files: [`${self}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          group: others.flatMap((c) => [`**/${c}/**`, `**/${c}`]),
          message: `${self}/ may import only common/ and itself: components talk through the API (see ARCHITECTURE.md).`,
        }],
      }],
    },
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['common/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: components.flatMap((c) => [`**/${c}/**`, `**/${c}`]), message: 'common/ imports no component (see ARCHITECTURE.md).' }],
      }],
    },
  },
  ...components.map(onlyCommon),
  {
    files: ['scripts/**/*.ts', 'bench/**/*.ts', '*/bench/**/*.ts', 'e2e/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
