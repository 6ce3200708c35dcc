#!/usr/bin/env node
// Makes sure Debian's Chromium is at /usr/bin/chromium for the browser tests (playwright-core drives it;
// Playwright's own browser download is not used); installs it with apt when missing and root.
//
//   node scripts/ensure-chromium.js      (or require("./ensure-chromium").ensureChromium())
const { ensureDebianPackage } = require("./ensure-debian-package")

const CHROMIUM = "/usr/bin/chromium"

/** @param {{ executable?: string, log?: (msg: string) => void }} [options] */
function ensureChromium(options = {}) {
  return ensureDebianPackage({ executable: options.executable || CHROMIUM, pkg: "chromium", needFor: "The browser tests", log: options.log })
}

module.exports = { ensureChromium, CHROMIUM }

if (require.main === module) {
  try {
    console.log(`[ensure-chromium] ${ensureChromium()} is there.`)
  } catch (error) {
    console.error(`\n[ensure-chromium] ${error.message}\n`)
    process.exit(1)
  }
}
