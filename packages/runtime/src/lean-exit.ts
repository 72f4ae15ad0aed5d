import { setFlagsFromString } from 'node:v8';

/**
 * A run ends with its work. The toolkit's HTTP client (undici, under @actions/core and Octokit's fetch)
 * parses HTTP with llhttp compiled to WebAssembly, and starts compiling it when it loads; V8 tiers hot
 * WebAssembly functions up to its optimizing compiler on background threads, and a process waits for
 * those compile jobs before it exits: a one-request `circuit-breaker status` lingered 140 ms (a quiet
 * machine) to 400 ms (a loaded one) after its last output, with no socket or timer left open. A run makes
 * a handful of requests, for which the baseline compiler's code is plenty. This module is the runtime's
 * first import, so it runs before undici loads.
 */
setFlagsFromString('--no-wasm-tier-up');
setFlagsFromString('--no-wasm-dynamic-tiering');
