export const id = 595;
export const ids = [595];
export const modules = {

/***/ 4595:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   createClient: () => (/* binding */ createClient)
/* harmony export */ });
/* harmony import */ var _actions_github__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1351);
/* harmony import */ var _actions_github_lib_utils__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(5555);
/* harmony import */ var _octokit_plugin_retry__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(9735);
/* harmony import */ var _octokit_plugin_throttling__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(6856);
/* harmony import */ var _client__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(6915);





/**
 * The Octokit of @actions/github (REST methods, pagination, the runner's proxy settings) with the retry
 * and throttling plugins. Loaded only by a run that talks to GitHub: import it lazily (`await import`).
 */
const RecoveryOctokit = _actions_github_lib_utils__WEBPACK_IMPORTED_MODULE_1__/* .GitHub */ .gq.plugin(_octokit_plugin_retry__WEBPACK_IMPORTED_MODULE_2__/* .retry */ .L, _octokit_plugin_throttling__WEBPACK_IMPORTED_MODULE_3__/* .throttling */ .A);
const proxyFetch = (_actions_github_lib_utils__WEBPACK_IMPORTED_MODULE_1__/* .defaults */ .NT.request?.fetch ?? fetch);
/** An Octokit with the retry and throttling plugins, pointed at GITHUB_API_URL. */
function createClient(opts) {
    const retries = opts.retries ?? 3;
    const envBase = Number(process.env.RECOVERY_RETRY_BASE_MS);
    const retryBaseMs = opts.retryBaseMs ?? (Number.isFinite(envBase) && envBase > 0 ? envBase : 1000);
    const warn = (m) => opts.log?.warn(m);
    // Waits out a rate limit `retries` times, then gives up (the request fails with GitHub's answer).
    const rateLimited = (what, retryAfter, options, retryCount) => {
        if (retryCount >= retries) {
            warn(`GitHub ${what} hit for ${options.method} ${options.url} again; giving up after ${retries} retries`);
            return false;
        }
        warn(`GitHub ${what} hit for ${options.method} ${options.url}; retrying after ${retryAfter}s (retry ${retryCount + 1} of ${retries})`);
        return true;
    };
    const options = {
        // `new Octokit()` ignores GITHUB_API_URL, and @actions/github reads it once at import: pass it each time.
        baseUrl: (opts.baseUrl ?? (0,_client__WEBPACK_IMPORTED_MODULE_4__/* .apiUrlFromEnv */ .R7)()).replace(/\/+$/, ''),
        userAgent: opts.userAgent ?? 'recovery-actions',
        request: { fetch: (0,_client__WEBPACK_IMPORTED_MODULE_4__/* .trackWrites */ .MJ)(proxyFetch) },
        log: opts.log ?? { debug: () => { }, info: () => { }, warn: () => { }, error: () => { } },
        // 429 belongs to the throttling plugin, which waits for retry-after; the retry plugin would not.
        retry: { retries, retryAfterBaseValue: retryBaseMs, doNotRetry: [400, 401, 403, 404, 409, 410, 422, 429, 451] },
        throttle: {
            onRateLimit: (retryAfter, options, _o, retryCount) => rateLimited('rate limit', retryAfter, options, retryCount),
            onSecondaryRateLimit: (retryAfter, options, _o, retryCount) => rateLimited('secondary rate limit', retryAfter, options, retryCount),
        },
    };
    // getOctokit insists on a token; without one (a public repository's reads) the same class goes unauthenticated.
    return opts.token ? (0,_actions_github__WEBPACK_IMPORTED_MODULE_0__/* .getOctokit */ .Q)(opts.token, options, _octokit_plugin_retry__WEBPACK_IMPORTED_MODULE_2__/* .retry */ .L, _octokit_plugin_throttling__WEBPACK_IMPORTED_MODULE_3__/* .throttling */ .A) : new RecoveryOctokit(options);
}


/***/ })

};
