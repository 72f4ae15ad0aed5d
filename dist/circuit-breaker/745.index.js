export const id = 745;
export const ids = [745];
export const modules = {

/***/ 8745:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  createClient: () => (/* binding */ createClient)
});

// EXTERNAL MODULE: ./node_modules/@actions/github/lib/github.js
var github = __webpack_require__(1351);
// EXTERNAL MODULE: ./node_modules/@actions/github/lib/utils.js + 19 modules
var utils = __webpack_require__(5555);
// EXTERNAL MODULE: ./node_modules/@octokit/plugin-retry/dist-bundle/index.js
var dist_bundle = __webpack_require__(9735);
// EXTERNAL MODULE: ./node_modules/@octokit/plugin-throttling/dist-bundle/index.js
var plugin_throttling_dist_bundle = __webpack_require__(6856);
// EXTERNAL MODULE: ./node_modules/bottleneck/light.js
var light = __webpack_require__(3251);
var light_default = /*#__PURE__*/__webpack_require__.n(light);
;// CONCATENATED MODULE: ./packages/adapters/src/client.ts
const DEFAULT_API_URL = 'https://api.github.com';
function apiUrlFromEnv(env = process.env) {
    return (env.GITHUB_API_URL || DEFAULT_API_URL).replace(/\/+$/, '');
}

;// CONCATENATED MODULE: ./packages/adapters/src/octokit.ts






/**
 * The Octokit of @actions/github (REST methods, pagination, the runner's proxy settings) with the retry
 * and throttling plugins. Loaded only by a run that talks to GitHub: import it lazily (`await import`).
 */
const RecoveryOctokit = utils/* GitHub */.gq.plugin(dist_bundle/* retry */.L, plugin_throttling_dist_bundle/* throttling */.A);
const proxyFetch = (utils/* defaults */.NT.request?.fetch ?? fetch);
/**
 * The throttling plugin starts writes 1 s apart and writes that notify people (issues, comments) 3 s apart,
 * per process (GitHub's advice against secondary rate limits). `writeSpacingMs` sets the first (the second
 * is three times it): tests shorten it, as they shorten the retry back-off. Unset: the plugin's own queues.
 */
const spacedQueues = new Map();
function writeQueues(ms) {
    if (ms === undefined || !Number.isFinite(ms) || ms < 0)
        return {};
    let q = spacedQueues.get(ms);
    if (!q) {
        q = { write: new (light_default()).Group({ maxConcurrent: 1, minTime: ms }), notifications: new (light_default()).Group({ maxConcurrent: 1, minTime: 3 * ms }) };
        spacedQueues.set(ms, q);
    }
    return q;
}
/** An Octokit with the retry and throttling plugins, pointed at GITHUB_API_URL. */
function createClient(opts) {
    const retries = opts.retries ?? 3;
    const retryBaseMs = opts.retryBaseMs ?? 1000;
    const warn = (m) => opts.log?.warn(m);
    // Waits out a rate limit `retries` times, then gives up (the request fails with GitHub's answer).
    const rateLimited = (what, retryAfter, options, retryCount) => {
        // The state store's requests come back to the store, which waits, re-reads and decides (docs/state.md).
        if (options.request?.noResend)
            return false;
        if (retryCount >= retries) {
            warn(`GitHub ${what} hit for ${options.method} ${options.url} again; giving up after ${retries} retries`);
            return false;
        }
        warn(`GitHub ${what} hit for ${options.method} ${options.url}; retrying after ${retryAfter}s (retry ${retryCount + 1} of ${retries})`);
        return true;
    };
    const options = {
        // `new Octokit()` ignores GITHUB_API_URL, and @actions/github reads it once at import: pass it each time.
        baseUrl: (opts.baseUrl ?? apiUrlFromEnv()).replace(/\/+$/, ''),
        userAgent: opts.userAgent ?? 'recovery-actions',
        request: { fetch: proxyFetch },
        log: opts.log ?? { debug: () => { }, info: () => { }, warn: () => { }, error: () => { } },
        // 429 belongs to the throttling plugin, which waits for retry-after; the retry plugin would not.
        retry: { retries, retryAfterBaseValue: retryBaseMs, doNotRetry: [400, 401, 403, 404, 409, 410, 422, 429, 451] },
        throttle: {
            ...writeQueues(opts.writeSpacingMs),
            onRateLimit: (retryAfter, options, _o, retryCount) => rateLimited('rate limit', retryAfter, options, retryCount),
            onSecondaryRateLimit: (retryAfter, options, _o, retryCount) => rateLimited('secondary rate limit', retryAfter, options, retryCount),
        },
    };
    // getOctokit insists on a token; without one (a public repository's reads) the same class goes unauthenticated.
    return opts.token ? (0,github/* getOctokit */.Q)(opts.token, options, dist_bundle/* retry */.L, plugin_throttling_dist_bundle/* throttling */.A) : new RecoveryOctokit(options);
}


/***/ })

};
