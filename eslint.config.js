// Lints the host TypeScript (emulator, CLI, tests, training scripts). AssemblyScript
// (firmware/, hal/, apps' firmware, test firmware) is checked by asc at build time.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "build/**",
      "firmware/**",
      "hal/**",
      "test/fixtures/**",
      "test/bench-apps/**",
      "test/emulator/meter-probe/**",
      "test/emulator/meter-branches/**",
      "apps/*/*.ts",
      "apps/*/!(train|detector|refiner|eval)/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        Buffer: "readonly",
        URL: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setImmediate: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        performance: "readonly",
        TextDecoder: "readonly",
        TextEncoder: "readonly",
        WebAssembly: "readonly",
        structuredClone: "readonly",
        queueMicrotask: "readonly",
        AbortController: "readonly",
        SharedArrayBuffer: "readonly",
        Atomics: "readonly",
      },
    },
    rules: {
      // binaryen's and wasm's untyped APIs are reached through `any` on purpose.
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": [
        "error",
        {
          argsIgnorePattern: "^_",
          varsIgnorePattern: "^_",
          caughtErrors: "none",
          ignoreRestSiblings: true,
        },
      ],
      // Control characters are matched on purpose (terminal escapes in firmware text), and
      // runs of spaces in patterns mirror the aligned output they match.
      "no-control-regex": "off",
      "no-regex-spaces": "off",
    },
  },
);
