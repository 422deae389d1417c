/** Tests run through swc (no type-checking; `npm run typecheck` does that). */
module.exports = {
  testEnvironment: "node",
  // Both cores: the default (cores - 1) leaves one idle on the 2-core CI machines.
  maxWorkers: "100%",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // One synth of the real app for every test that reads the stacks as JSON (test/helpers appStacks).
  globalSetup: "<rootDir>/test/global-setup.js",
  globalTeardown: "<rootDir>/test/global-teardown.js",
  transform: { "^.+\\.(t|j)s$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }] },
  // The package's entry points, as environments/ imports them (tsconfig.json "paths").
  moduleNameMapper: { "^learning-platform-infra/(.*)$": "<rootDir>/modules/$1" },
  testPathIgnorePatterns: ["/node_modules/", "/fixtures/"],
  collectCoverageFrom: ["modules/**/*.ts", "environments/**/*.ts"],
  coverageThreshold: {
    "./modules/": { lines: 90 },
    "./environments/": { lines: 90 },
  },
};
