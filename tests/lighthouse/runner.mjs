// One Lighthouse and one chromium for many pages (tests/site/lighthouselib.py).
//
// Started once per test session instead of the `lighthouse` command once per page:
// each command spent about 7 s of its 12 loading Lighthouse's modules, resolving its
// config and launching chromium, before measuring anything. Lighthouse clears the
// browser's caches and the origin's storage before every run, so reusing the
// browser does not warm the next page.
//
// Protocol: one JSON job per line on stdin,
//   {"url": ..., "out": "/path/report.json", "multiplier": 4, "chromeFlags": [...],
//    "onlyCategories": [...], "skipAudits": [...]}
// and one JSON line per job on stdout, {"out": ...} when the report is written or
// {"out": ..., "error": "..."}. The browser starts with the first job's flags.
import fs from 'node:fs';
import readline from 'node:readline';

import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';

let chrome = null;

async function run(job) {
  if (chrome === null) {
    chrome = await chromeLauncher.launch({
      chromePath: process.env.CHROME_PATH,
      chromeFlags: job.chromeFlags,
    });
  }
  const result = await lighthouse(job.url, {
    port: chrome.port,
    output: 'json',
    logLevel: 'error',
    onlyCategories: job.onlyCategories,
    skipAudits: job.skipAudits,
    disableFullPageScreenshot: true,
    throttling: {cpuSlowdownMultiplier: job.multiplier},
  });
  if (!result) throw new Error('Lighthouse returned no result');
  fs.writeFileSync(job.out, result.report);
}

const lines = readline.createInterface({input: process.stdin});
for await (const line of lines) {
  if (!line.trim()) continue;
  const job = JSON.parse(line);
  let answer;
  try {
    await run(job);
    answer = {out: job.out};
  } catch (error) {
    answer = {out: job.out, error: String(error && error.stack ? error.stack : error)};
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
}
if (chrome !== null) await chrome.kill();
