// Two projects: unit (pure code, the simulators, no database) and integration (a real Medusa app on a
// real PostgreSQL, embedded unless DATABASE_URL / DB_* point elsewhere). `npm test` runs both.
const transform = {
  "^.+\\.[jt]s$": [
    "@swc/jest",
    { jsc: { parser: { syntax: "typescript", decorators: true }, target: "es2021" } },
  ],
}
const common = {
  transform,
  testEnvironment: "node",
  moduleFileExtensions: ["js", "ts", "json"],
  modulePathIgnorePatterns: ["dist/", "<rootDir>/.medusa/", "<rootDir>/.data/"],
}

const projects = {
  unit: {
    ...common,
    displayName: "unit",
    testMatch: ["<rootDir>/src/**/__tests__/**/*.unit.spec.[jt]s", "<rootDir>/sandbox/**/__tests__/**/*.unit.spec.[jt]s"],
  },
  integration: {
    ...common,
    displayName: "integration",
    testMatch: ["<rootDir>/integration-tests/http/**/*.spec.[jt]s"],
    setupFiles: ["<rootDir>/integration-tests/setup.js"],
    globalSetup: "<rootDir>/integration-tests/global-setup.js",
    globalTeardown: "<rootDir>/integration-tests/global-teardown.js",
  },
}

const type = process.env.TEST_TYPE
module.exports = type && projects[type] ? projects[type] : { projects: Object.values(projects) }
