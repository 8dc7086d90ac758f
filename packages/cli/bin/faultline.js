#!/usr/bin/env node
// The `faultline` command. The program is compiled to dist/ by `npm run build` (and by `npm ci`, through the root
// `prepare` script); this file exists before that, so npm can link and mark it executable at install time.
import '../dist/faultline.js';
