export const id = 363;
export const ids = [363];
export const modules = {

/***/ 4363:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   renderOpenMetrics: () => (/* binding */ renderOpenMetrics)
/* harmony export */ });
/**
 * The scope's recovery figures as OpenMetrics text, for Prometheus or Grafana users to scrape from a
 * file a workflow publishes. Rendered by prom-client (the maintained Prometheus client for Node.js) in
 * its OpenMetrics mode, loaded only by this command.
 */
async function renderOpenMetrics(scope, k, a, state) {
    const { Registry, Gauge } = (await __webpack_require__.e(/* import() */ 222).then(__webpack_require__.t.bind(__webpack_require__, 5222, 19))).default;
    const registry = new Registry();
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    const gauge = (name, help, value, labels = {}) => {
        if (value === undefined || !Number.isFinite(value))
            return;
        const existing = registry.getSingleMetric(name);
        const g = existing ?? new Gauge({ name, help, labelNames: ['scope', ...Object.keys(labels)], registers: [registry] });
        g.set({ scope, ...labels }, value);
    };
    const s = (ms) => (ms === undefined ? undefined : ms / 1000);
    gauge('recovery_mttr_seconds', 'Mean time to recovery over the last 30 ended incidents.', s(k.mttrMeanMs));
    gauge('recovery_mttr_p90_seconds', '90th percentile of the time to recovery over the last 30 ended incidents.', s(k.mttrP90Ms));
    gauge('recovery_incidents', 'Ended incidents the state keeps (at most 30).', k.incidents);
    gauge('recovery_incident_open', '1 while an incident is open.', k.openIncident ? 1 : 0);
    gauge('recovery_availability_ratio', 'Share of the period outside incidents (0-1).', a.ratio);
    gauge('recovery_availability_period_seconds', 'The span the availability is measured over.', s(a.measuredMs));
    gauge('recovery_mtbf_seconds', 'Mean time between failures over the period: up time / incidents started.', s(a.mtbfMs));
    gauge('recovery_automated_success_ratio', 'Incidents automation recovered / incidents it acted in (0-1).', k.automatedSuccessRate);
    gauge('recovery_rollbacks', 'Ended incidents that rolled back to an earlier release.', k.rollbacks);
    for (const track of ['recovery', 'deployment']) {
        gauge('recovery_breaker_open', '1 while the circuit breaker track is open.', state.breaker[track].status === 'open' ? 1 : 0, { track });
        gauge('recovery_breaker_failures', 'Consecutive failures recorded on the track.', state.breaker[track].failures, { track });
        gauge('recovery_breaker_open_seconds', 'Time the track has spent open, the current opening included.', s(k.breakerOpenMs[track]), { track });
        gauge('recovery_failures_24h', 'Failures recorded on the track in the last 24 hours.', k.failuresLast24h[track], { track });
    }
    return registry.metrics();
}


/***/ })

};
