#!/usr/bin/env node
// Builds the static site into dist/: index.html, app.js (config + cart.js + app.js) and styles.css.
// No bundler on purpose: the storefront has no npm dependency, so `npm ci` in CI installs nothing.
//
// Settings come from the environment, as CodeBuild passes them:
//   ENVIRONMENT    dev | prod (default: local)
//   API_BASE_URL   base URL of the orders API (default: http://localhost:3000)
//   BUILD_VERSION  shown in the page header (default: 0.0.0-local)
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');

function settingsFrom(env) {
  return {
    environment: env.ENVIRONMENT || 'local',
    apiBaseUrl: (env.API_BASE_URL || 'http://localhost:3000').replace(/\/+$/, ''),
    version: env.BUILD_VERSION || '0.0.0-local',
  };
}

function build({ srcDir = path.join(ROOT, 'src'), outDir = path.join(ROOT, 'dist'), env = process.env } = {}) {
  const settings = settingsFrom(env);
  const read = (name) => fs.readFileSync(path.join(srcDir, name), 'utf8');

  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });

  const titleSuffix = settings.environment === 'prod' ? '' : ` (${settings.environment})`;
  fs.writeFileSync(path.join(outDir, 'index.html'), read('index.html').replaceAll('{{TITLE_SUFFIX}}', titleSuffix));

  const banner = `/*! shop-frontend ${settings.version} (${settings.environment}) */\n`;
  const config = `window.SHOP_CONFIG = Object.freeze(${JSON.stringify(settings)});\n`;
  fs.writeFileSync(path.join(outDir, 'app.js'), banner + config + read('cart.js') + read('app.js'));

  fs.copyFileSync(path.join(srcDir, 'styles.css'), path.join(outDir, 'styles.css'));
  return { settings, files: fs.readdirSync(outDir).sort() };
}

if (require.main === module) {
  const { settings, files } = build();
  console.log(`built ${files.join(', ')} for ${settings.environment} (version ${settings.version}, api ${settings.apiBaseUrl})`);
}

module.exports = { build, settingsFrom };
