'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { build, settingsFrom } = require('../scripts/build.js');

test('settings default for a local build and drop a trailing slash from the API URL', () => {
  assert.deepEqual(settingsFrom({}), {
    environment: 'local',
    apiBaseUrl: 'http://localhost:3000',
    version: '0.0.0-local',
  });
  assert.equal(settingsFrom({ API_BASE_URL: 'https://api.example.com/' }).apiBaseUrl, 'https://api.example.com');
});

test('the build writes exactly the three site files, configured for the environment', (t) => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shop-dist-'));
  t.after(() => fs.rmSync(outDir, { recursive: true, force: true }));
  const env = { ENVIRONMENT: 'dev', API_BASE_URL: 'https://api.dev.example.com', BUILD_VERSION: '1.2.3' };

  const { files } = build({ outDir, env });

  assert.deepEqual(files, ['app.js', 'index.html', 'styles.css']);
  const app = fs.readFileSync(path.join(outDir, 'app.js'), 'utf8');
  assert.match(app, /^\/\*! shop-frontend 1\.2\.3 \(dev\) \*\//);
  assert.match(app, /"apiBaseUrl":"https:\/\/api\.dev\.example\.com"/);
  assert.match(fs.readFileSync(path.join(outDir, 'index.html'), 'utf8'), /<title>Shop \(dev\)<\/title>/);
});

test('a prod build has no environment suffix in the title', (t) => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shop-dist-'));
  t.after(() => fs.rmSync(outDir, { recursive: true, force: true }));
  build({ outDir, env: { ENVIRONMENT: 'prod' } });
  assert.match(fs.readFileSync(path.join(outDir, 'index.html'), 'utf8'), /<title>Shop<\/title>/);
});
