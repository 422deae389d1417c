import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** The provider packages' root entry loads every resource class (~10x slower synth and tests). */
export const providerRootImport = {
  regex: "^@cdktf/provider-[a-z0-9-]+(/lib(/index(\\.js)?)?)?/?$",
  message: "Import the resource from @cdktf/provider-<name>/lib/<resource>; the package root loads every resource and makes synth ~10x slower.",
};

/** modules/core is what every module builds on; it importing a module would make a cycle waiting to happen. */
export const coreImportsModule = {
  regex: "^\\.\\./",
  message: "modules/core depends on no module: take an interface from modules/core/types.ts (the module implements it) instead of importing the module.",
};

/** The reference environments use the library as an adopter would: through its package entry points. */
export const environmentsImportModulePath = {
  regex: "(^|/)modules/",
  message: "Import the library through its entry points (learning-platform-infra/<module> or learning-platform-infra/core/<file>), as another repository would; see package.json exports.",
};

export default tseslint.config(
  { ignores: ["node_modules/", "cdktf.out/", "coverage/", "**/dist/", ".tools/", ".gen/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts", "**/*.mts", "**/*.js", "**/*.mjs"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [providerRootImport] }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    // Repeats providerRootImport: a later block's options replace, not extend, the rule's.
    files: ["modules/core/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [providerRootImport, coreImportsModule] }] },
  },
  {
    files: ["environments/**/*.ts", "main.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [providerRootImport, environmentsImportModulePath] }] },
  },
  {
    // Tests read synthesized JSON, whose shape is checked by the assertions themselves.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    files: ["**/*.js"],
    languageOptions: { globals: { require: "readonly", module: "writable", process: "readonly", console: "readonly", __dirname: "readonly" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
