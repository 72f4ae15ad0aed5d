import { runEntry } from '@recovery/runtime';
import { run } from './main';

await runEntry(run);
