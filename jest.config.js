// Three projects: unit (pure code, the simulators, no database), integration (a real Medusa app on a
// real PostgreSQL, embedded unless DATABASE_URL / DB_* point elsewhere) and browser (the demo store in
// Debian's Chromium). `npm test` runs them one after the other (scripts/test.js).
const transform = {
  "^.+\\.[jt]s$": [
    "@swc/jest",
    { jsc: { parser: { syntax: "typescript", decorators: true }, target: "es2021" } },
  ],
  // The React entry point (src/react) is TSX.
  "^.+\\.tsx$": [
    "@swc/jest",
    { jsc: { parser: { syntax: "typescript", tsx: true }, transform: { react: { runtime: "automatic" } }, target: "es2021" } },
  ],
}
const common = {
  transform,
  testEnvironment: "node",
  moduleFileExtensions: ["js", "ts", "tsx", "json"],
  modulePathIgnorePatterns: ["dist/", "<rootDir>/.medusa/", "<rootDir>/.data/"],
}

const projects = {
  unit: {
    ...common,
    displayName: "unit",
    testMatch: ["<rootDir>/src/**/__tests__/**/*.unit.spec.[jt]s", "<rootDir>/src/**/__tests__/**/*.unit.spec.tsx", "<rootDir>/sandbox/**/__tests__/**/*.unit.spec.[jt]s", "<rootDir>/bench/**/__tests__/**/*.unit.spec.[jt]s"],
  },
  integration: {
    ...common,
    displayName: "integration",
    testMatch: ["<rootDir>/integration-tests/http/**/*.spec.[jt]s"],
    setupFiles: ["<rootDir>/integration-tests/setup.js"],
    globalSetup: "<rootDir>/integration-tests/global-setup.js",
    globalTeardown: "<rootDir>/integration-tests/global-teardown.js",
  },
  browser: {
    ...common,
    displayName: "browser",
    testMatch: ["<rootDir>/integration-tests/browser/**/*.spec.[jt]s"],
    globalSetup: "<rootDir>/integration-tests/browser/global-setup.js",
    globalTeardown: "<rootDir>/integration-tests/browser/global-teardown.js",
  },
}

const type = process.env.TEST_TYPE
// A failing test's message is repeated at the end of the run (jest does that only past 20 suites), so the
// tail of a long CI log says what failed.
const reporters = [["default", { summaryThreshold: 0 }]]
module.exports = type && projects[type] ? { ...projects[type], reporters } : { projects: [projects.unit, projects.integration], reporters }
