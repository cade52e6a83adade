/** Test projects mirror the code: pure units, the local cloud and functions through the real SDK,
 * mini program components in miniprogram-simulate, the deploy plan and executor (offline), and
 * the admin page in a real browser. */
const tsJest = [
  'ts-jest',
  {
    tsconfig: {
      module: 'commonjs',
      moduleResolution: 'node10',
      ignoreDeprecations: '6.0',
      esModuleInterop: true,
      resolveJsonModule: true,
      isolatedModules: true,
      strict: true,
    },
    diagnostics: false,
  },
];
const base = {
  transform: { '^.+\\.ts$': tsJest },
  moduleFileExtensions: ['ts', 'js', 'json'],
  modulePathIgnorePatterns: ['<rootDir>/build/', '<rootDir>/admin/dist/'],
};

module.exports = {
  testTimeout: 30000,
  projects: [
    {
      ...base,
      displayName: 'unit',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      ...base,
      displayName: 'local-cloud',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/local/**/*.test.ts', '<rootDir>/test/functions/**/*.test.ts'],
    },
    {
      ...base,
      displayName: 'miniprogram',
      testEnvironment: 'jsdom',
      testMatch: ['<rootDir>/test/miniprogram/**/*.test.ts'],
    },
    {
      ...base,
      displayName: 'deploy',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/deploy/**/*.test.ts'],
    },
    {
      ...base,
      displayName: 'browser',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
    },
  ],
};
