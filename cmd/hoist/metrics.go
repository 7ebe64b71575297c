package main

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hoist-dev/hoist/registry"
)

// scannerCollector exports a registry.Scanner's Stats on each scrape.
type scannerCollector struct {
	s *registry.Scanner
}

var (
	descRequests = prometheus.NewDesc("hoist_registry_requests_total",
		"HTTP requests sent to registries, by host and status (0: no answer).", []string{"host", "status"}, nil)
	descRetries = prometheus.NewDesc("hoist_registry_retries_total",
		"Registry requests sent again after a failure.", nil, nil)
	descWaits = prometheus.NewDesc("hoist_registry_rate_limit_waits_total",
		"Registry requests that waited for the rate or concurrency limit or a Retry-After.", nil, nil)
	descWaitSeconds = prometheus.NewDesc("hoist_registry_rate_limit_wait_seconds_total",
		"Total time registry requests waited for limits.", nil, nil)
	descTagLists = prometheus.NewDesc("hoist_registry_tag_lists_total",
		"Tag lists fetched from registries.", nil, nil)
	descBuildTimes = prometheus.NewDesc("hoist_registry_build_times_total",
		"Build times looked up, by source (cache, registry).", []string{"source"}, nil)
)

func (c *scannerCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descRequests, descRetries, descWaits, descWaitSeconds, descTagLists, descBuildTimes} {
		ch <- d
	}
}

func (c *scannerCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.s.Stats()
	for k, n := range st.Requests {
		ch <- prometheus.MustNewConstMetric(descRequests, prometheus.CounterValue, float64(n), k.Host, strconv.Itoa(k.Status))
	}
	ch <- prometheus.MustNewConstMetric(descRetries, prometheus.CounterValue, float64(st.Retries))
	ch <- prometheus.MustNewConstMetric(descWaits, prometheus.CounterValue, float64(st.RateLimitWaits))
	ch <- prometheus.MustNewConstMetric(descWaitSeconds, prometheus.CounterValue, st.RateLimitWait.Seconds())
	ch <- prometheus.MustNewConstMetric(descTagLists, prometheus.CounterValue, float64(st.TagLists))
	ch <- prometheus.MustNewConstMetric(descBuildTimes, prometheus.CounterValue, float64(st.BuildTimeHits), "cache")
	ch <- prometheus.MustNewConstMetric(descBuildTimes, prometheus.CounterValue, float64(st.BuildTimeFetches), "registry")
}
