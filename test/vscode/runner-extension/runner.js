// Runs the integration suite (out/test/vscode-suite.js) once the workbench has started, then writes
// { passed, failed, checks, error? } to the results file. Paths come from the environment
// (AUTOENCODER_LAB_SUITE, AUTOENCODER_LAB_RESULTS) or from runner-config.json written beside this file
// by the test that installed it. It does nothing else: the test reads the file and stops code-server.
/* global require, process, console, exports, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports */
const { existsSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

function readConfig() {
  const file = join(__dirname, 'runner-config.json');
  const fromFile = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  return {
    suite: process.env.AUTOENCODER_LAB_SUITE ?? fromFile.suite,
    results: process.env.AUTOENCODER_LAB_RESULTS ?? fromFile.results,
  };
}

function writeResults(file, results) {
  // Written whole and renamed, so the waiting test never reads half a file.
  writeFileSync(`${file}.tmp`, JSON.stringify(results, null, 2));
  renameSync(`${file}.tmp`, file);
}

async function runSuite(config) {
  const started = Date.now();
  const lines = [];
  const log = (line) => {
    lines.push(line);
    console.log(line);
  };
  try {
    const suite = require(config.suite);
    let checks;
    if (typeof suite.runChecks === 'function') {
      checks = await suite.runChecks(log);
    } else {
      // A plain test-electron suite: one check, the whole run().
      const checkStarted = Date.now();
      try {
        await suite.run();
        checks = [{ name: 'run()', passed: true, ms: Date.now() - checkStarted }];
      } catch (error) {
        checks = [{ name: 'run()', passed: false, error: String(error && error.stack ? error.stack : error), ms: Date.now() - checkStarted }];
      }
    }
    const failed = checks.filter((check) => !check.passed).length;
    writeResults(config.results, { passed: checks.length - failed, failed, checks, log: lines, ms: Date.now() - started });
  } catch (error) {
    writeResults(config.results, { passed: 0, failed: 1, checks: [], error: String(error && error.stack ? error.stack : error), log: lines, ms: Date.now() - started });
  }
}

exports.activate = function activate() {
  const config = readConfig();
  if (!config.suite || !config.results) {
    console.error('autoencoder-lab test runner: no suite/results path (AUTOENCODER_LAB_SUITE, AUTOENCODER_LAB_RESULTS or runner-config.json)');
    return;
  }
  // Not awaited: activation returns at once, the suite runs on in the extension host.
  void runSuite(config);
};

exports.deactivate = function deactivate() {};
