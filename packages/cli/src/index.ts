#!/usr/bin/env node
import { main } from './main';

process.exitCode = await main(process.argv.slice(2), process.env, {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
});
